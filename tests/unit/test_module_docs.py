"""Every module's documentation renders with ansible-doc and says exactly what its argument spec does."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MODULES = sorted(path.stem for path in (REPO / "library").glob("edx_*.py"))
ANSIBLE_DOC = Path(sys.executable).parent / "ansible-doc"


def rendered_docs(name):
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"))
    proc = subprocess.run(
        [str(ANSIBLE_DOC), "--json", "-M", str(REPO / "library"), name],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr
    return json.loads(proc.stdout)[name]


def normalized(option, nested_key):
    """The fields both a documented option and an argument spec state; nested under `nested_key`."""
    fields = {
        "type": option.get("type", "str"),
        "required": option.get("required", False),
        "default": option.get("default"),
        "choices": option.get("choices"),
        "elements": option.get("elements"),
        "aliases": sorted(option.get("aliases", [])),
    }
    if nested_key in option:
        fields["suboptions"] = {key: normalized(value, nested_key) for key, value in option[nested_key].items()}
    return fields


def test_every_module_is_checked():
    assert {"edx_user", "edx_oauth_client", "edx_token", "edx_api_check"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_documentation_matches_argument_spec(name, module_argument_spec):
    docs = rendered_docs(name)["doc"]
    spec = module_argument_spec(name)
    documented = {key: normalized(option, "suboptions") for key, option in docs["options"].items()}
    assert documented == {key: normalized(option, "options") for key, option in spec.items()}


@pytest.mark.parametrize("name", MODULES)
def test_examples_and_return_values_are_documented(name):
    rendered = rendered_docs(name)
    assert rendered["examples"].strip(), "EXAMPLES is empty"
    assert rendered["return"], "RETURN is empty"
    assert rendered["doc"]["attributes"]["check_mode"]["support"] in ("full", "partial")


@pytest.mark.parametrize("name", MODULES)
def test_secret_options_are_no_log(name, module_argument_spec):
    """Secrets are no_log; any other option whose name looks secret carries an explicit decision."""
    secrets = {"password", "client_secret", "token"}

    def walk(spec, path=""):
        for key, option in spec.items():
            if key in secrets:
                assert option.get("no_log") is True, f"{path}{key} must be no_log"
            elif any(word in key for word in ("password", "secret", "token")) and option.get("type", "str") == "str":
                assert "no_log" in option, f"{path}{key}: set no_log explicitly"
            if "options" in option:
                walk(option["options"], f"{path}{key}.")

    walk(module_argument_spec(name))
