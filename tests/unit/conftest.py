"""Make the project's module_utils importable as ansible.module_utils.*, as Ansible does at run time."""

import importlib.util
from pathlib import Path

import ansible.module_utils
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO / "module_utils") not in ansible.module_utils.__path__:
    ansible.module_utils.__path__.append(str(REPO / "module_utils"))


@pytest.fixture
def load_module():
    """Import a module from library/ by name (its main() is not run)."""

    def load(name):
        spec = importlib.util.spec_from_file_location("edx_library_" + name, REPO / "library" / (name + ".py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
