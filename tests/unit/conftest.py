"""Unit-test fixtures (tests/conftest.py makes module_utils importable as Ansible imports it)."""

import importlib.util
from pathlib import Path

import pytest
from ansible.module_utils.basic import AnsibleModule

REPO = Path(__file__).resolve().parents[2]


class _SpecSeen(Exception):
    """Raised by the stand-in AnsibleModule: main() got as far as declaring its options."""

    def __init__(self, argument_spec):
        super().__init__()
        self.argument_spec = argument_spec


def _recording_init(self, argument_spec, **_constraints):
    raise _SpecSeen(argument_spec)


@pytest.fixture
def module_argument_spec(monkeypatch):
    """module_argument_spec(name): the argument spec library/NAME.py's main() gives AnsibleModule,
    found as ansible-test's validate-modules finds it (main() runs until AnsibleModule is made)."""

    def spec_of(name):
        spec = importlib.util.spec_from_file_location("edx_library_" + name, REPO / "library" / (name + ".py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        monkeypatch.setattr(AnsibleModule, "__init__", _recording_init)
        with pytest.raises(_SpecSeen) as seen:
            module.main()
        return seen.value.argument_spec

    return spec_of
