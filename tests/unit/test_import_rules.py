"""Where code runs decides what it may import: a file's folder in module_utils/edx_provision says both.

inlms/  runs inside the LMS under its own Python: only its siblings (and the standard library,
        Django, the LMS's packages); nothing of Ansible's, nothing of the controller's.
http/   runs in the module process: its siblings and the package's top-level files; never lms/ or inlms/.
lms/    runs on the controller: its siblings, http/ and the top-level files; inlms/ only from
        programs.py, which sends that source into the LMS.
The package's top-level files (vocabulary, diffs, lms_options: what both controller sides share) import
nothing of ours. The HTTP modules (edx_token, edx_api_check, edx_enrollment) ship only http/ and the
top-level files in their payload; the action plugin imports lms/. No file imports itself back through
another (no cycles), imports inside the package are relative, and no product code extends a package's
__path__. One action plugin file serves every LMS-side module; the others link to it.
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ROOT = REPO / "module_utils" / "edx_provision"
PACKAGE = "ansible.module_utils.edx_provision"
FILES = sorted(ROOT.rglob("*.py"))
TOP = {path.stem for path in ROOT.glob("*.py")} - {"__init__"}
ALLOWED = {"inlms": {"inlms"}, "http": {"http"} | TOP, "lms": {"lms", "http"} | TOP, "": set()}
# What each file outside module_utils may import of the package, by what it is.
CALLERS = {
    "library/edx_token.py": {"http"} | TOP,
    "library/edx_api_check.py": {"http"} | TOP,
    "library/edx_enrollment.py": {"http"} | TOP,
    "library/edx_access.py": {"lms"},
    "library/edx_user.py": {"lms"},
    "library/edx_oauth_client.py": {"lms"},
    "action_plugins/edx_access.py": {"lms", ""},
}


def layer(module):
    """'inlms', 'lms', 'http' for a module in those folders, else the top-level file's name ('' for the package)."""
    return module.split(".")[0]


def module_of(path):
    """A file's dotted name inside the package: lms.runner, vocabulary, inlms (for inlms/__init__.py)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(dotted):
    """Whether a dotted name inside the package is one of its modules or packages."""
    path = ROOT.joinpath(*dotted.split(".")) if dotted else ROOT
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def targets(module, node):
    """The modules of ours an import from `module` names: `from .x import y` is x.y when y is a module, else x."""
    named = [".".join(filter(None, [module, alias.name])) for alias in node.names]
    return [name for name in named if is_module(name)] or [module]


def imports_of(path):
    """(line, imported module of the package or None, absolute name or None) for every import in the file."""
    found = []
    package = module_of(path).split(".") if ROOT in path.parents else []
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            module = ".".join(part for part in base + (node.module or "").split(".") if part)
            found += [(node.lineno, target, None) for target in targets(module, node)]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
            module = node.module[len(PACKAGE) :].lstrip(".")
            found += [(node.lineno, target, node.module) for target in targets(module, node)]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module + "." + alias.name for alias in node.names]
            found += [(node.lineno, None, name) for name in names if name.startswith("ansible.module_utils.edx")]
            found.append((node.lineno, None, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, None, alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_file_imports_only_what_its_folder_may(path):
    here = module_of(path)
    for line, ours, absolute in imports_of(path):
        where = "%s line %d" % (path.relative_to(REPO), line)
        if absolute is not None:
            assert not absolute.startswith("ansible.module_utils.edx"), "%s: import %s relatively" % (where, absolute)
            if layer(here) == "inlms":
                assert not absolute.startswith("ansible"), "%s: in-LMS code imports %s" % (where, absolute)
            continue
        allowed = set(ALLOWED.get(layer(here), set()) if "." in here else ())
        if here == "lms.programs":
            allowed.add("inlms")
        assert layer(ours) in allowed, "%s: %s may not import %s" % (where, here, ours)


@pytest.mark.parametrize("name", sorted(CALLERS))
def test_modules_and_the_action_plugin_import_only_their_side(name):
    for line, ours, absolute in imports_of(REPO / name):
        assert not (absolute or "").startswith("ansible.module_utils.edx") or ours is not None, (name, line, absolute)
        if ours is not None:
            assert layer(ours) in CALLERS[name], "%s line %d imports %s" % (name, line, ours)


def test_every_module_is_ruled():
    assert {str(path.relative_to(REPO)) for path in (REPO / "library").glob("*.py")} <= set(CALLERS)


def test_no_import_cycles():
    graph = {}
    for path in FILES:
        here = module_of(path)
        graph[here] = {ours for _, ours, _ in imports_of(path) if ours and ours != here and is_module(ours)}

    def visit(node, trail):
        assert node not in trail, "import cycle: " + " -> ".join(trail + [node])
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, trail + [node])

    for start in graph:
        visit(start, [])


def test_no_product_code_extends_a_package_path():
    for folder in ("library", "module_utils", "action_plugins", "doc_fragments"):
        for path in (REPO / folder).rglob("*.py"):
            assert "__path__" not in path.read_text(), path


def test_one_action_plugin_serves_every_lms_side_module():
    plugins = REPO / "action_plugins"
    files = sorted(path.name for path in plugins.glob("*.py") if not path.is_symlink())
    links = {path.name: path.readlink() for path in plugins.glob("*.py") if path.is_symlink()}
    assert files == ["edx_access.py"]
    assert links == {name: Path("edx_access.py") for name in ("edx_oauth_client.py", "edx_token.py", "edx_user.py")}
