"""
Session fixtures for every suite that needs a running stand-in LMS (tests/lms/README.md).

    standin          one `production` instance on a free port with a temporary state
                     directory, started once per session, stopped at the end
    standin_factory  standin_factory(settings="production", env=None, name="lms") starts
                     another instance (own port and state directory); all are stopped
                     at the end of the session. settings="ginkgo" works too (HTTPS with
                     a test CA: lms.url is https://..., trust lms.ca_path)
    standin_control  the tests/lms/control.py module (StandinLMS, free_port, ...)

Instances are cheap: the database is migrated and seeded once per session and database
layout (production's, and ginkgo's when a test asks for it) into a template directory
and copied for each new instance. No fixture ever uses the
developer's own .lms/ state directory.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

# The project's module_utils package, importable as Ansible imports it at run time
# (ansible.module_utils.edx_provision), registered as the action plugin registers it.
if "ansible.module_utils.edx_provision" not in sys.modules:
    import ansible.module_utils

    _SPEC = importlib.util.spec_from_file_location(
        "ansible.module_utils.edx_provision",
        Path(__file__).resolve().parents[1] / "module_utils" / "edx_provision" / "__init__.py",
    )
    ansible.module_utils.edx_provision = sys.modules[_SPEC.name] = importlib.util.module_from_spec(_SPEC)
    _SPEC.loader.exec_module(ansible.module_utils.edx_provision)

_CONTROL_PATH = Path(__file__).resolve().parent / "lms" / "control.py"
_MODULE_NAME = "edx_provision_standin_control"


def _load_control():
    module = sys.modules.get(_MODULE_NAME)
    if module is None:
        spec = importlib.util.spec_from_file_location(_MODULE_NAME, _CONTROL_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[_MODULE_NAME] = module
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def standin_control():
    return _load_control()


@pytest.fixture(scope="session")
def standin_templates(tmp_path_factory, standin_control):
    """standin_templates(settings) -> a state directory holding a migrated, seeded database
    of that flavour's layout to copy from (each layout made once, on first use)."""
    made = {}

    def template(settings="production"):
        schema = standin_control.OWN_SCHEMA.get(settings, "production")
        if schema not in made:
            directory = tmp_path_factory.mktemp(f"lms-template-{schema}")
            standin_control.StandinLMS(port=0, state_dir=directory, settings=schema).prepare()
            made[schema] = directory
        return made[schema]

    return template


@pytest.fixture(scope="session")
def standin_template(standin_templates):
    """The production layout's template directory."""
    return standin_templates("production")


@pytest.fixture(scope="session")
def standin_factory(tmp_path_factory, standin_control, standin_templates):
    control = standin_control
    instances = []

    def start(settings="production", env=None, name="lms", port=None):
        state_dir = tmp_path_factory.mktemp(name)
        assert state_dir.resolve() != control.DEFAULT_STATE_DIR.resolve()
        lms = control.StandinLMS(
            port=port or control.free_port(),
            state_dir=state_dir,
            settings=settings,
            env=env,
            template=standin_templates(settings),
        )
        instances.append(lms)
        lms.start()
        return lms

    yield start
    for lms in reversed(instances):
        lms.stop()


@pytest.fixture(scope="session")
def standin(standin_factory):
    return standin_factory(name="lms-default")
