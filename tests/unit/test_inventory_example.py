"""inventory.example is a working inventory: it parses, and its vault strings open with "change-me"."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_example_inventory_parses_and_its_secrets_decrypt(tmp_path):
    inventory = tmp_path / "inventory.yml"
    shutil.copy(REPO / "inventory.example", inventory)
    password = tmp_path / "vault-pass"
    password.write_text("change-me\n")
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"))

    listing = subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", str(inventory), "--list"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    hosts = json.loads(listing.stdout)["lms"]["hosts"]
    assert sorted(hosts) == ["lms-native.example.com", "tutor.example.com"]

    shown = subprocess.run(
        [
            str(BIN / "ansible"),
            "-i",
            str(inventory),
            "tutor.example.com",
            "-m",
            "ansible.builtin.debug",
            "-a",
            "var=edx_api_access_client_secret",
            "--vault-password-file",
            str(password),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert shown.returncode == 0, shown.stderr
    assert "replace-with-another-long-random-secret" in shown.stdout


def test_example_inventory_sets_what_the_role_requires():
    spec = yaml.safe_load((REPO / "roles/edx_api_access/meta/argument_specs.yml").read_text())
    required = {name for name, option in spec["argument_specs"]["main"]["options"].items() if option.get("required")}
    example = yaml.load((REPO / "inventory.example").read_text(), Loader=_VaultTolerantLoader)  # noqa: S506 (a SafeLoader)
    group_vars = example["lms"]["vars"]
    for host, host_vars in example["lms"]["hosts"].items():
        assert required <= set(group_vars) | set(host_vars), host


class _VaultTolerantLoader(yaml.SafeLoader):
    pass


_VaultTolerantLoader.add_constructor("!vault", lambda loader, node: "<vaulted>")
