"""Fixtures for running the toolkit's modules and playbooks against stand-in LMS instances."""

import json
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from playbook import run_play


class Target:
    """One stand-in LMS as the modules see it: runner options, environment, and its state read back."""

    def __init__(self, lms):
        self.lms = lms
        self.url = lms.url

    @property
    def runner(self):
        return {"runner": "command", "manage_command": list(self.lms.manage_prefix), "settings": self.lms.settings}

    @property
    def env(self):
        return {"LMS_STATE_DIR": str(self.lms.state_dir)}

    @property
    def role_host(self):
        """Host variables that point the role at this stand-in (runner command, on the controller)."""
        return {
            "ansible_connection": "local",
            "ansible_python_interpreter": str(Path(self.lms.manage_prefix[0])),
            "edx_api_access_lms_url": self.url,
            "edx_api_access_runner": "command",
            "edx_api_access_manage_command": list(self.lms.manage_prefix),
            "edx_api_access_settings": self.lms.settings,
            "edx_api_access_environment": self.env,
        }

    def play(self, tasks, **kwargs):
        env = dict(self.env, **kwargs.pop("env", {}))
        return run_play(tasks, env=env, **kwargs)

    def query(self, code):
        """Run `code` in the LMS's shell; it must print one JSON document as its last line."""
        proc = self.lms.manage("shell", "-c", code)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def user(self, username):
        return self.query(
            "import json\n"
            "from django.contrib.auth import get_user_model\n"
            f"u = get_user_model().objects.filter(username={username!r}).first()\n"
            "print(json.dumps(None if u is None else dict(email=u.email, is_staff=u.is_staff, "
            "is_superuser=u.is_superuser, password=u.password, "
            "groups=sorted(u.groups.values_list('name', flat=True)))))\n"
        )

    def client(self, client_id):
        return self.query(
            "import json\n"
            "from oauth2_provider.models import get_application_model\n"
            "from openedx.core.djangoapps.oauth_dispatch.models import ApplicationAccess\n"
            f"a = get_application_model().objects.filter(client_id={client_id!r}).first()\n"
            "acc = a and ApplicationAccess.objects.filter(application=a).first()\n"
            "print(json.dumps(None if a is None else dict(name=a.name, owner=a.user.username, "
            "secret=a.client_secret, grant=a.authorization_grant_type, client_type=a.client_type, "
            "redirect_uris=a.redirect_uris, skip=a.skip_authorization, scopes=acc.scopes if acc else None)))\n"
        )

    def tokens(self):
        return self.query(
            "import json\n"
            "from oauth2_provider.models import get_access_token_model\n"
            "print(json.dumps(list(get_access_token_model().objects.values_list('token', flat=True))))\n"
        )

    def snapshot(self):
        """Every user, group membership, application and access row: to prove nothing changed."""
        return self.query(
            "import json\n"
            "from django.contrib.auth import get_user_model\n"
            "from oauth2_provider.models import get_application_model\n"
            "from openedx.core.djangoapps.oauth_dispatch.models import ApplicationAccess\n"
            "users = [(u.username, u.email, u.is_staff, u.is_superuser, u.password, "
            "sorted(u.groups.values_list('name', flat=True))) for u in get_user_model().objects.order_by('pk')]\n"
            "apps = list(get_application_model().objects.order_by('pk').values_list("
            "'client_id', 'name', 'user__username', 'client_secret', 'authorization_grant_type', 'client_type', "
            "'redirect_uris', 'skip_authorization'))\n"
            "access = [(a.application.client_id, a.scopes) for a in ApplicationAccess.objects.order_by('pk')]\n"
            "print(json.dumps(dict(users=users, apps=apps, access=access), default=str))\n"
        )


@pytest.fixture(scope="session")
def target(standin):
    """The session's shared stand-in; tests keep apart by using unique names."""
    return Target(standin)


@pytest.fixture
def fresh_target(standin_factory):
    """A stand-in of its own, for tests that need an untouched LMS."""
    return Target(standin_factory(name="fresh"))


@pytest.fixture
def name():
    """A unique name for users and clients of one test."""
    return "t" + uuid.uuid4().hex[:10]
