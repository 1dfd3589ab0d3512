"""Contract §9 "Start cost" (ginkgo flavour): every start prints about 41
RemovedInDjango19Warning lines on stderr; `migrate` leaves a user ecommerce_worker, so a
fresh LMS is not empty; Hawthorn's create_dot_application does not exist yet (§1.3)."""

import os
import re
import subprocess
import sys
import uuid

import requests

WARNING = "RemovedInDjango19Warning"


def warning_lines(text):
    return [line for line in text.splitlines() if WARNING in line]


def test_every_start_prints_41_deprecation_warnings_on_stderr_only(ginkgo):
    for args in (("check",), ("manage_user", "--help"), ("shell", "--plain")):
        result = ginkgo.manage(*args, input="")
        assert result.returncode == 0, (args, result.stderr[-2000:])
        assert len(warning_lines(result.stderr)) == 41, args
        assert WARNING not in result.stdout, args
        assert re.match(r"/edx/app/edxapp/venvs/edxapp/\S+\.py:\d+: RemovedInDjango19Warning: ", result.stderr), args


def test_the_warning_count_is_a_knob_and_production_prints_none(ginkgo, standin):
    many = ginkgo.manage("check", env={"LMS_GINKGO_WARNINGS": "120"})
    today = standin.manage("check")
    assert len(warning_lines(many.stderr)) == 120
    assert warning_lines(today.stderr) == []


def test_migrate_creates_the_ecommerce_worker_user(ginkgo):
    user = ginkgo.orm(
        "import json; from django.contrib.auth.models import User; u = User.objects.get(username='ecommerce_worker');"
        " print(json.dumps({'usable': u.has_usable_password(), 'staff': u.is_staff}))"
    )
    assert user == {"usable": False, "staff": False}
    again = ginkgo.manage("migrate")
    assert again.returncode == 0 and "No migrations to apply." in again.stdout


def test_production_has_no_ecommerce_worker(lms):
    assert (
        lms.orm(
            "from django.contrib.auth.models import User;"
            " print(int(User.objects.filter(username='ecommerce_worker').exists()))"
        )
        == 0
    )


def test_create_dot_application_is_an_unknown_command(ginkgo):
    name = f"app-{uuid.uuid4().hex[:8]}"
    result = ginkgo.manage("create_dot_application", name, "ecommerce_worker")
    assert result.returncode == 1
    assert "Unknown command: 'create_dot_application'" in result.stderr
    assert (
        ginkgo.orm(
            f"from oauth2_provider.models import Application; print(Application.objects.filter(name='{name}').count())"
        )
        == 0
    )


def test_each_start_is_one_boots_line(ginkgo):
    before = ginkgo.lms.boots()
    ginkgo.manage("shell", "-c", "print(1)")
    ginkgo.manage("shell", "--plain", input="print(1)\n")
    assert ginkgo.lms.boots() == before + 2


def test_make_lms_up_with_ginkgo_prepares_https_and_reports_the_https_url(tmp_path, standin_control):
    """control.py as `make lms-up LMS_SETTINGS=ginkgo` runs it, on a fresh state directory."""
    port, state = standin_control.free_port(), tmp_path / "ginkgo-cli"
    env = {**os.environ, "LMS_PORT": str(port), "LMS_STATE_DIR": str(state), "LMS_SETTINGS": "ginkgo"}
    control = [sys.executable, str(standin_control.PROJECT_ROOT / "control.py")]
    up = subprocess.run([*control, "up"], capture_output=True, text=True, env=env, timeout=300)
    try:
        assert up.returncode == 0, up.stderr[-3000:]
        assert f"started on https://127.0.0.1:{port} (settings ginkgo" in up.stdout
        assert {"ca.pem", "server.pem", "server.key"} <= {p.name for p in (state / "tls").iterdir()}
        assert oct((state / "tls" / "server.key").stat().st_mode & 0o777) == "0o600"
        heartbeat = requests.get(f"https://127.0.0.1:{port}/heartbeat", timeout=10, verify=str(state / "tls/ca.pem"))
        assert heartbeat.status_code == 200
        status = subprocess.run([*control, "status"], capture_output=True, text=True, env=env, timeout=60)
        assert status.returncode == 0
        assert f"on https://127.0.0.1:{port} (settings ginkgo, heartbeat 200)" in status.stdout
    finally:
        down = subprocess.run([*control, "down"], capture_output=True, text=True, env=env, timeout=60)
    assert down.returncode == 0 and "stopped" in down.stdout
