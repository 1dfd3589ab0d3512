"""tools/build_collection.py: the staged collection tree from the real sources, checked with real parsers.

The rewriter's rules are tested in test_collection_rewrite.py; these tests check their outcome on the
repository's own files with independent means (ast for imports, PyYAML for tasks and documentation), that
a module or module_utils package added later is picked up without touching the build, and that bad
configuration fails naming the fix. tests/collection/ installs the tarball and runs it.
"""

import ast
import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("edx_provision_build_collection", REPO / "tools" / "build_collection.py")
build = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = build
_spec.loader.exec_module(build)

CONFIG = build.load_config()
PREFIX = "%s.%s." % (CONFIG["namespace"], CONFIG["name"])
PACKAGE = "ansible_collections.%s.%s.plugins.module_utils" % (CONFIG["namespace"], CONFIG["name"])
MODULES = sorted(path.stem for path in (REPO / "library").glob("*.py"))
TASK_KEYWORDS = {
    "name",
    "when",
    "register",
    "become",
    "become_user",
    "delegate_to",
    "vars",
    "environment",
    "loop",
    "loop_control",
    "no_log",
    "tags",
    "block",
    "rescue",
    "always",
    "changed_when",
    "failed_when",
    "notify",
    "check_mode",
    "diff",
    "ignore_errors",
    "until",
    "retries",
    "delay",
    "args",
    "run_once",
}


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    return build.stage(CONFIG, tmp_path_factory.mktemp("build"))


def _tasks(items):
    """Every task in a task list, including those inside block/rescue/always."""
    for task in items or []:
        yield task
        for key in ("block", "rescue", "always"):
            yield from _tasks(task.get(key))


def _module_key(task):
    keys = [key for key in task if key not in TASK_KEYWORDS]
    return keys[0] if len(keys) == 1 else None


def _documentation(path):
    """DOCUMENTATION and EXAMPLES of a module, read by ast the way ansible-doc reads them."""
    found = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = getattr(node.value, "value", None)
    return yaml.safe_load(found["DOCUMENTATION"]), yaml.safe_load(found["EXAMPLES"])


def test_layout_holds_every_source_in_its_collection_place(staged):
    for source, target in (
        ("library", "plugins/modules"),
        ("module_utils", "plugins/module_utils"),
        ("doc_fragments", "plugins/doc_fragments"),
        ("action_plugins", "plugins/action"),
    ):
        assert sorted(str(p.relative_to(REPO / source)) for p in (REPO / source).rglob("*.py")) == sorted(
            str(p.relative_to(staged / target)) for p in (staged / target).rglob("*.py")
        ), source
    # The one action plugin: the other modules' plugins stay links to it.
    for name in ("edx_user", "edx_oauth_client", "edx_token"):
        assert (staged / "plugins/action" / (name + ".py")).readlink() == Path("edx_access.py")
    assert (staged / "roles/edx_api_access/meta/argument_specs.yml").exists()
    assert not (staged / "roles/edx_api_access/molecule").exists()  # dev scenario, repository paths
    assert sorted(p.name for p in (staged / "playbooks").iterdir()) == sorted(
        p.name for p in (REPO / "playbooks").iterdir()
    )


def test_generated_metadata_comes_from_pyproject(staged):
    galaxy = yaml.safe_load((staged / "galaxy.yml").read_text())
    assert (galaxy["namespace"], galaxy["name"], galaxy["version"]) == (
        CONFIG["namespace"],
        CONFIG["name"],
        CONFIG["version"],
    )
    assert galaxy["authors"] == CONFIG["authors"] and galaxy["readme"] == "README.md"
    assert galaxy["license"] == ["GPL-3.0-or-later"]
    assert (staged / "LICENSE").read_text() == (REPO / "LICENSE").read_text()
    assert not (staged / "tests").exists()  # no sanity ignore file: the sources pass ansible-test as they are
    assert yaml.safe_load((staged / "meta/runtime.yml").read_text()) == {"requires_ansible": CONFIG["requires_ansible"]}
    readme = (staged / "README.md").read_text()
    assert "$" not in readme.replace("$ ", "")  # every placeholder filled
    for module in MODULES:
        assert "`%s%s`" % (PREFIX, module) in readme


def test_no_import_of_our_module_utils_is_left_unqualified(staged):
    ours = {path.stem for path in (REPO / "module_utils").iterdir()}
    for path in staged.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("ansible.module_utils.edx"), (path, node.lineno)
                if node.module == "ansible.module_utils":
                    assert not {alias.name for alias in node.names} & ours, (path, node.lineno)
                if node.module.startswith(PACKAGE + "."):
                    target = staged / "plugins/module_utils" / node.module[len(PACKAGE) + 1 :].replace(".", "/")
                    assert target.with_suffix(".py").exists() or (target / "__init__.py").exists(), (path, target)


def test_every_task_and_example_uses_fully_qualified_module_names(staged):
    task_files = list((staged / "roles").rglob("tasks/*.yml"))
    plays = [yaml.safe_load(path.read_text()) for path in (staged / "playbooks").glob("*.yml")]
    task_lists = [yaml.safe_load(path.read_text()) for path in task_files]
    task_lists += [play.get("tasks") for playbook in plays for play in playbook]
    task_lists += [_documentation(staged / "plugins/modules" / (module + ".py"))[1] for module in MODULES]
    module_keys = [_module_key(task) for tasks in task_lists for task in _tasks(tasks)]
    ours = [key for key in module_keys if key and key.split(".")[-1] in MODULES]
    assert ours, "no task of ours found: the check itself is broken"
    assert all(key.startswith(PREFIX) for key in ours), sorted(set(ours))
    roles = [entry["role"] for playbook in plays for play in playbook for entry in play.get("roles", [])]
    included = [
        task["ansible.builtin.include_role"]["name"]
        for playbook in plays
        for play in playbook
        for task in _tasks(play.get("tasks"))
        if "ansible.builtin.include_role" in task
    ]
    assert roles and included and all(name == PREFIX + "edx_api_access" for name in roles + included)


def test_documentation_references_are_fully_qualified(staged):
    for module in MODULES:
        doc, _ = _documentation(staged / "plugins/modules" / (module + ".py"))
        assert doc["module"] == module
        fragments = [f for f in doc.get("extends_documentation_fragment", []) if f.split(".")[0].startswith("edx")]
        assert all(f.startswith(PREFIX) for f in fragments), fragments
        assert all(entry["module"].startswith(PREFIX) for entry in doc.get("seealso", [])), doc.get("seealso")
        referenced = re.findall(r"\bM\(([\w.]+)\)", str(doc))
        assert all(
            name.startswith(PREFIX) or ("." in name and name.split(".")[-1] not in MODULES) for name in referenced
        ), referenced


def _copy_of_the_repository(tmp_path):
    for name in ("library", "module_utils", "doc_fragments", "action_plugins", "roles", "playbooks", "docs"):
        shutil.copytree(REPO / name, tmp_path / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "LICENSE"):
        shutil.copy(REPO / name, tmp_path / name)
    return tmp_path


def test_a_module_and_a_module_utils_package_added_later_are_built_without_changing_the_build(tmp_path):
    repo = _copy_of_the_repository(tmp_path / "repo")
    (repo / "module_utils" / "edx_newpkg").mkdir()
    (repo / "module_utils" / "edx_newpkg" / "__init__.py").write_text("")
    (repo / "module_utils" / "edx_newpkg" / "plan.py").write_text(
        'if __name__ != "edx_provision":\n    from ansible.module_utils.edx_newpkg.base import ENTRY_POINTS\n'
    )
    (repo / "library" / "edx_enrollment.py").write_text(
        'DOCUMENTATION = r"""\nmodule: edx_enrollment\nshort_description: Enroll users\n'
        'version_added: "0.1.0"\nseealso:\n  - module: edx_user\n"""\n'
        'EXAMPLES = r"""\n- name: Enroll\n  edx_enrollment:\n    username: bot\n"""\n'
        "from ansible.module_utils.edx_newpkg.plan import thing\n"
    )
    config = build.load_config(repo)
    root = build.stage(config, tmp_path / "build", repo)
    module = (root / "plugins/modules/edx_enrollment.py").read_text()
    assert "from %s.edx_newpkg.plan import thing" % PACKAGE in module
    assert "  - module: %sedx_user" % PREFIX in module and "  %sedx_enrollment:" % PREFIX in module
    assert (
        "    from %s.edx_newpkg.base import ENTRY_POINTS" % PACKAGE
        in (root / "plugins/module_utils/edx_newpkg/plan.py").read_text()
    )
    assert "`%sedx_enrollment` | Enroll users |" % PREFIX in (root / "README.md").read_text()


@pytest.mark.parametrize(
    "section, line, message",
    [
        ("tool.edx_provision.collection", 'namespace = "edx_provision"', "namespace = 'Edx-Provision'"),
        ("tool.edx_provision.collection", 'name = "lms"', "name = 'my__lms'"),
        ("project", 'version = "%s"' % CONFIG["version"], "version = '2'"),
    ],
)
def test_bad_configuration_fails_naming_the_setting(tmp_path, section, line, message):
    repo = _copy_of_the_repository(tmp_path)
    text = (repo / "pyproject.toml").read_text()
    assert line in text
    bad = message.split(" = ")[0] + " = " + '"%s"' % message.split(" = ")[1].strip("'")
    (repo / "pyproject.toml").write_text(text.replace(line, bad, 1))
    with pytest.raises(build.BuildError, match=r"pyproject\.toml.*%s" % message.replace("(", r"\(")):
        build.load_config(repo)


def test_a_module_newer_than_the_collection_fails_the_build(tmp_path):
    repo = _copy_of_the_repository(tmp_path / "repo")
    path = repo / "library" / "edx_user.py"
    path.write_text(path.read_text().replace('version_added: "0.1.0"', 'version_added: "99.0.0"'))
    with pytest.raises(build.BuildError, match=r"library/edx_user\.py says version_added 99\.0\.0"):
        build.stage(build.load_config(repo), tmp_path / "build", repo)
