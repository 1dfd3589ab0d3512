"""Where code runs decides what it may import: a file's folder in module_utils/edx_provision says both.

inlms/  runs inside the LMS under its own Python: only its siblings (and the standard library,
        Django, the LMS's packages); nothing of Ansible's, nothing of the controller's.
http/   runs in the module process: its siblings and the package's top-level files; never lms/ or inlms/.
lms/    runs on the controller: its siblings, http/ and the top-level files; inlms/ only from
        programs.py, which sends that source into the LMS.
The package's top-level files (vocabulary, diffs: what both controller sides share) import nothing of
ours. No file imports itself back through another (no cycles), imports inside the package are
relative, and no product code extends a package's __path__. One action plugin file serves every
LMS-side module; the others link to it.
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


def layer(module):
    """'inlms', 'lms', 'http' for a module in those folders, '' for the package's own files."""
    parts = module.split(".")
    return parts[0] if len(parts) > 1 else ""


def module_of(path):
    """A file's dotted name inside the package: lms.runner, vocabulary, inlms (for inlms/__init__.py)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path):
    """(line, imported module inside the package or None, absolute name) for every import in the file."""
    found = []
    package = module_of(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            targets = (
                [".".join(base + node.module.split("."))]
                if node.module
                else [".".join(base + [a.name]) for a in node.names]
            )
            found += [(node.lineno, target.strip("."), None) for target in targets]
        elif isinstance(node, ast.ImportFrom):
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
        allowed = set(ALLOWED[layer(here)])
        if here == "lms.programs":
            allowed.add("inlms")
        target_layer = layer(ours) or ours.split(".")[0]
        assert target_layer in allowed, "%s: %s (%s/) may not import %s" % (where, here, layer(here) or "top", ours)


def test_no_import_cycles():
    graph = {module_of(path): {ours for _, ours, _ in imports_of(path) if ours} for path in FILES}

    def visit(node, trail):
        assert node not in trail, "import cycle: " + " -> ".join(trail + [node])
        for nxt in sorted(graph.get(node, ())):
            if nxt in graph:
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
