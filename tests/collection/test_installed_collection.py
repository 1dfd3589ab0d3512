"""The collection as a user gets it: built, installed with ansible-galaxy, sanity-clean, and running the demo.

`make collection-test` runs this file. Everything Ansible runs here sees only the installed collection:
its own ansible.cfg names the install directory as the only collections path and no library, module_utils,
doc fragment or roles path, so a short name or a leftover `ansible.module_utils.edx_*` import would fail.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))
from ansible_test_offline import run_sanity  # noqa: E402


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builder = _load("edx_provision_build_collection", REPO / "tools" / "build_collection.py")
CONFIG = builder.load_config()
FQCN = "%s.%s" % (CONFIG["namespace"], CONFIG["name"])


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(collection root, ansible environment) of a freshly built and installed collection."""
    work = tmp_path_factory.mktemp("collection")
    tarball = builder.build(work / "build")
    collections = work / "collections"
    proc = subprocess.run(
        [str(BIN / "ansible-galaxy"), "collection", "install", str(tarball), "-p", str(collections)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    root = collections / "ansible_collections" / CONFIG["namespace"] / CONFIG["name"]
    cfg = work / "ansible.cfg"
    cfg.write_text(
        "[defaults]\ncollections_path = %s\ninterpreter_python = auto_silent\nretry_files_enabled = False\n"
        "callback_result_format = yaml\n" % collections
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update(
        ANSIBLE_CONFIG=str(cfg),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        PATH="%s%s%s" % (BIN, os.pathsep, os.environ["PATH"]),
    )
    return root, env, work


def _playbook(installed, playbook, lms, *args):
    _, env, work = installed
    run_env = dict(env, LMS_PORT=str(lms.port), LMS_STATE_DIR=str(lms.state_dir), LMS_SETTINGS=lms.settings)
    argv = [str(BIN / "ansible-playbook"), "-i", str(REPO / "inventories" / "standin.yml"), str(playbook), *args]
    # cwd outside the repository: no ansible.cfg, library/ or roles/ beside it can help.
    proc = subprocess.run(argv, cwd=work, env=run_env, capture_output=True, text=True, check=False, timeout=600)
    return proc, proc.stdout + proc.stderr


def _changed(output, host="standin"):
    match = re.search(r"^%s\s*:\s*ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0" % host, output, re.MULTILINE)
    assert match, output
    return int(match.group(1))


def test_installed_collection_passes_ansible_test_sanity(installed):
    root, _, _ = installed
    assert not list(root.glob("tests/sanity/ignore-*.txt"))  # nothing is excused: the sources pass as they are
    assert (root / "plugins/action/edx_user.py").readlink().name == "edx_access.py"  # the one action plugin
    proc = run_sanity(root)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    ran = re.findall(r'^Running sanity test "([\w.-]+)"', output, re.MULTILINE)
    expected = {"validate-modules", "pylint", "import", "ansible-doc", "compile", "yamllint", "runtime-metadata"}
    assert expected <= set(ran), ran


def test_module_docs_render_with_fully_qualified_references(installed):
    _, env, _ = installed
    proc = subprocess.run(
        [str(BIN / "ansible-doc"), "--json", FQCN + ".edx_access"],
        env=env,
        cwd="/",
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)[FQCN + ".edx_access"]["doc"]
    assert {"runner", "manage_command", "users", "clients"} <= set(doc["options"])  # from the doc fragments
    assert [entry["module"] for entry in doc["seealso"]] == [
        FQCN + ".edx_user",
        FQCN + ".edx_oauth_client",
        FQCN + ".edx_token",
    ]


def test_short_names_do_not_resolve_outside_the_repository(installed):
    """The control for the tests below: with this configuration only fully qualified names work."""
    _, env, _ = installed
    proc = subprocess.run(
        [str(BIN / "ansible-doc"), "--json", "edx_user"], env=env, cwd="/", capture_output=True, text=True, check=False
    )
    assert json.loads(proc.stdout or "{}") == {}, proc.stdout


def test_fqcn_demo_provisions_the_standin_then_changes_nothing(installed, standin_factory):
    lms = standin_factory(name="lms-collection")
    proc, output = _playbook(installed, HERE / "demo.yml", lms)
    assert proc.returncode == 0, output
    answer = "GET http://127.0.0.1:%d/api/enrollment/v1/enrollment as enrollment-api with a jwt token answered 200"
    assert answer % lms.port in " ".join(output.split()), output  # the callback wraps long lines
    assert "user create, client create, enrollment API with the direct token answered 200" in output, output
    assert _changed(output) > 0

    proc, output = _playbook(installed, HERE / "demo.yml", lms, "-v")
    assert proc.returncode == 0, output
    assert "user none, client none, enrollment API with the direct token answered 200" in output, output
    assert _changed(output) == 0
    # The collection's action plugin hides edx_token's results even at -v; the LMS holds the tokens made.
    direct = output.split("TASK [Create a token for it inside the LMS]")[1].split("TASK [")[0]
    assert "ok: [standin]" in direct and "censored" in direct, direct
    shell = lms.manage(
        "shell",
        "-c",
        "from oauth2_provider.models import get_access_token_model as m; "
        "print('TOKENS', *m().objects.values_list('token', flat=True))",
    ).stdout
    tokens = next(line.split()[1:] for line in shell.splitlines() if line.startswith("TOKENS"))
    assert len(tokens) >= 2 and not [token for token in tokens if token in output]  # two runs, two direct tokens

    proc, output = _playbook(installed, FQCN + ".verify", lms)
    assert proc.returncode == 0, output
    assert "answered 200" in output, output
