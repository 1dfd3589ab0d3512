"""The in-LMS programs: concatenated parts that must not shadow each other and must parse under the
LMS's own Pythons (2.7 on Ginkgo to Ironwood, 3.5+ later), not only the controller's."""

import ast
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from ansible.module_utils.edx_provision.lms.programs import PROGRAMS, program_source

IN_LMS_FILES = sorted({Path(part.__file__) for parts in PROGRAMS.values() for part in parts})
OLD_PYTHONS = [Path.home() / ".pyenv" / "versions" / version / "bin" / "python" for version in ("2.7.18", "3.6.15")]


@pytest.mark.parametrize("module", sorted(PROGRAMS))
def test_no_part_of_a_program_redefines_another_parts_names(module):
    tree = ast.parse(program_source(module))
    names = [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    assert [name for name, count in Counter(names).items() if count > 1] == []


@pytest.mark.parametrize("module", sorted(PROGRAMS))
def test_every_program_registers_its_entry_point(module):
    namespace = {"__name__": "edx_provision"}
    exec(compile(program_source(module), "<program>", "exec"), namespace)
    assert namespace["ENTRY_POINTS"], module


@pytest.mark.parametrize("python", OLD_PYTHONS, ids=lambda path: path.parts[-3])
def test_in_lms_code_compiles_under_the_lms_pythons(python, tmp_path):
    if not python.exists():
        if shutil.which("pyenv") or (Path.home() / ".pyenv").exists():
            pytest.fail(f"{python} is missing on a machine that has pyenv: install it to run this check")
        pytest.skip(f"{python} is not on this machine")
    for source in IN_LMS_FILES:
        target = tmp_path / source.name
        target.write_text(source.read_text())
        proc = subprocess.run([str(python), "-m", "py_compile", str(target)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{source.name} under {python}: {proc.stderr}"


@pytest.mark.parametrize("source", IN_LMS_FILES, ids=lambda path: path.name)
def test_in_lms_code_parses_with_python_3_5_grammar(source):
    """Hawthorn to Koa LMSes ran Python 3.5; the parser's feature_version refuses newer syntax (f-strings...)."""
    ast.parse(source.read_text(), filename=str(source), feature_version=(3, 5))


REPO = Path(__file__).resolve().parents[2]
MODULE_SIDE_FILES = sorted(
    [path for path in (REPO / "module_utils").rglob("*.py") if "inlms" not in path.parts]
    + list((REPO / "library").glob("edx_*.py"))
)
PYTHON_3_8 = Path.home() / ".pyenv" / "versions" / "3.8.18" / "bin" / "python"


def test_module_side_code_compiles_under_python_3_8(tmp_path):
    """ansible-core 2.19 runs modules on target Pythons from 3.8: the module process must too."""
    if not PYTHON_3_8.exists():
        pytest.skip(f"{PYTHON_3_8} is not on this machine")
    for source in MODULE_SIDE_FILES:
        target = tmp_path / "_".join(source.relative_to(REPO).parts)
        target.write_text(source.read_text())
        proc = subprocess.run([str(PYTHON_3_8), "-m", "py_compile", str(target)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{source.name} under Python 3.8: {proc.stderr}"
    for source in MODULE_SIDE_FILES:
        ast.parse(source.read_text(), filename=str(source), feature_version=(3, 8))
