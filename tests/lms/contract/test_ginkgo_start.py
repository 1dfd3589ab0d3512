"""Contract §9 "Start cost" (ginkgo flavour): every start prints about 41
RemovedInDjango19Warning lines on stderr; `migrate` leaves a user ecommerce_worker, so a
fresh LMS is not empty; Hawthorn's create_dot_application does not exist yet (§1.3)."""

import re
import uuid

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
    assert lms.orm("from django.contrib.auth.models import User;"
                   " print(int(User.objects.filter(username='ecommerce_worker').exists()))") == 0


def test_create_dot_application_is_an_unknown_command(ginkgo):
    name = f"app-{uuid.uuid4().hex[:8]}"
    result = ginkgo.manage("create_dot_application", name, "ecommerce_worker")
    assert result.returncode == 1
    assert "Unknown command: 'create_dot_application'" in result.stderr
    assert ginkgo.orm("from oauth2_provider.models import Application;"
                      f" print(Application.objects.filter(name='{name}').count())") == 0


def test_each_start_is_one_boots_line(ginkgo):
    before = ginkgo.lms.boots()
    ginkgo.manage("shell", "-c", "print(1)")
    ginkgo.manage("shell", "--plain", input="print(1)\n")
    assert ginkgo.lms.boots() == before + 2
