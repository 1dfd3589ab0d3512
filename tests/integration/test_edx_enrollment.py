"""edx_enrollment through ansible-playbook against a stand-in LMS of its own.

What a user sees: the task's result, the enrollments in the LMS's database afterwards, and the
requests in the stand-in's access log (POSTs counted there, not in the module's own report).
"""

import json
import uuid

import pytest
import requests
from playbook import REPO, run_play, run_playbook  # tests/integration/conftest.py puts it on the path

DEMO = "course-v1:edX+DemoX+Demo_Course"
OTHER = "course-v1:Enroll+Second+Run"
SVC, CLIENT_ID, SECRET = "enroll-svc", "enroll-client", "enroll-secret-for-tests"


def checked(proc):
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


class Lms:
    """The stand-in with a staff service user, its client, learners, and ways to look inside."""

    def __init__(self, standin):
        self.standin, self.url = standin, standin.url
        self.env = {"LMS_STATE_DIR": str(standin.state_dir)}

    def play(self, tasks, **kwargs):
        return run_play(tasks, env=self.env, **kwargs)

    def query(self, code):
        """Run `code` in the LMS's shell; it prints one JSON document as its last line."""
        proc = checked(self.standin.manage("shell", "-c", code))
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def token(self, client_id=CLIENT_ID, secret=SECRET):
        response = requests.post(
            self.url + "/oauth2/access_token",
            timeout=10,
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
                "token_type": "jwt",
            },
        )
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def learners(self, count, prefix="l"):
        """`count` new users (with no enrollment), made in one shell boot."""
        names = ["%s%d-%s" % (prefix, i, uuid.uuid4().hex[:8]) for i in range(count)]
        code = (
            "import json, sys\nfrom django.contrib.auth.models import User\n"
            "for n in json.load(sys.stdin):\n"
            "    User.objects.create_user(n, n + '@example.com')\n"
        )
        checked(self.standin.manage("shell", "-c", code, input=json.dumps(names)))
        return names

    def enrollments(self, names):
        """{username: [(course_id, mode, is_active)]} as the LMS's database holds them."""
        found = self.query(
            "import json\nfrom common.djangoapps.student.models import CourseEnrollment\n"
            "rows = CourseEnrollment.objects.filter(user__username__in=%r).order_by('course_id')\n"
            "out = {}\n"
            "for e in rows: out.setdefault(e.user.username, []).append([str(e.course_id), e.mode, e.is_active])\n"
            "print(json.dumps(out))\n" % (list(names),)
        )
        return {name: sorted(rows) for name, rows in found.items()}

    def access_log(self):
        return (self.standin.state_dir / "server.log").read_text(errors="replace").splitlines()

    def requests_since(self, mark, method=None, path="/api/enrollment/v1/"):
        lines = [line for line in self.access_log()[mark:] if path in line]
        return [line for line in lines if method is None or '"%s ' % method in line]

    def run(self, enrollments, check=False, diff=True, verbosity=0, **options):
        token = self.token()
        task = {
            "name": "enroll",
            "register": "enrolled",
            "edx_enrollment": {"lms_url": self.url, "token": token, "enrollments": enrollments, **options},
        }
        mark = len(self.access_log())
        run = self.play([task], check=check, diff=diff, verbosity=verbosity)
        run.mark, run.token = mark, token
        return run, run.task("enroll")


@pytest.fixture(scope="module")
def lms(standin_factory):
    standin = standin_factory(name="lms-enroll")
    checked(standin.manage("manage_user", SVC, SVC + "@example.com", "--staff"))
    checked(
        standin.manage("create_dot_application", "enroll-app", SVC, "--client-id", CLIENT_ID, "--client-secret", SECRET)
    )
    checked(standin.manage("seed_courses", OTHER, "--modes", "audit,verified:10"))
    return Lms(standin)


def entries(names, course=DEMO, **extra):
    return [{"username": name, "course_id": course, **extra} for name in names]


def test_enroll_three_then_a_rerun_changes_nothing_and_posts_nothing(lms):
    names = lms.learners(3)
    run, first = lms.run(entries(names))
    assert first["status"] == "ok" and first["result"]["changed"] is True
    result = first["result"]
    assert [e["action"] for e in result["enrollments"]] == ["create"] * 3
    created = {"mode": "audit", "is_active": True}
    assert all(e["before"] is None and e["after"] == created for e in result["enrollments"])
    assert lms.enrollments(names) == {name: [[DEMO, "audit", True]] for name in names}
    assert len(result["diff"]) == 3
    # three enrollments + the check that the three new users exist
    assert len(lms.requests_since(run.mark, "POST")) == 6

    run, again = lms.run(entries(names))
    assert again["status"] == "ok" and again["result"]["changed"] is False
    assert [e["action"] for e in again["result"]["enrollments"]] == ["none"] * 3
    assert lms.requests_since(run.mark, "POST") == []
    # the course run, then one staff-list page that answers for all three
    assert len(lms.requests_since(run.mark, "GET")) == 2
    assert "changed=0" in run.stdout


def test_check_mode_reports_and_posts_nothing(lms):
    names = lms.learners(2)
    run, checked_run = lms.run(entries(names), check=True, verbosity=3)
    assert checked_run["status"] == "ok" and checked_run["result"]["changed"] is True
    assert [e["action"] for e in checked_run["result"]["enrollments"]] == ["create", "create"]
    assert checked_run["result"]["enrollments"][0]["after"] == {"mode": "audit", "is_active": True}
    assert lms.requests_since(run.mark, "POST") == []
    assert lms.enrollments(names) == {}
    assert "did not check that these users exist" in run.output
    assert run.token not in run.output and run.token not in json.dumps(run.results)


def test_absent_deactivates_and_stays_deactivated(lms):
    names = lms.learners(2)
    lms.run(entries(names))
    run, result = lms.run(
        [{"username": names[0], "course_id": DEMO, "state": "absent"}, {"username": names[1], "course_id": DEMO}]
    )
    enrollments = result["result"]["enrollments"]
    assert [e["action"] for e in enrollments] == ["deactivate", "none"]
    assert enrollments[0]["after"] == {"mode": "audit", "is_active": False}
    assert lms.enrollments(names) == {names[0]: [[DEMO, "audit", False]], names[1]: [[DEMO, "audit", True]]}

    run, again = lms.run([{"username": names[0], "course_id": DEMO, "state": "absent"}])
    assert again["result"]["changed"] is False
    assert lms.requests_since(run.mark, "POST") == []

    run, back = lms.run([{"username": names[0], "course_id": DEMO}])
    assert back["result"]["enrollments"][0]["action"] == "update"
    assert lms.enrollments(names[:1]) == {names[0]: [[DEMO, "audit", True]]}


def test_mode_change_goes_through_the_update_path(lms):
    names = lms.learners(1)
    lms.run(entries(names))
    run, result = lms.run(entries(names, mode="verified"))
    entry = result["result"]["enrollments"][0]
    assert entry["action"] == "update" and entry["changes"] == ["mode"]
    assert entry["before"] == {"mode": "audit", "is_active": True}
    assert entry["after"] == {"mode": "verified", "is_active": True}
    assert lms.enrollments(names) == {names[0]: [[DEMO, "verified", True]]}
    assert len(lms.requests_since(run.mark, "POST")) == 1


def test_several_courses_are_read_one_page_each(lms):
    names = lms.learners(3)
    run, result = lms.run(entries(names) + entries(names, course=OTHER, mode="verified"))
    assert result["result"]["http"]["reads"] == 2
    assert lms.enrollments(names) == {name: [[OTHER, "verified", True], [DEMO, "audit", True]] for name in names}
    run, again = lms.run(entries(names) + entries(names, course=OTHER, mode="verified"))
    assert again["result"]["changed"] is False
    assert len(lms.requests_since(run.mark)) == 4  # per course: its run and one staff-list page


def test_unknown_user_fails_and_applies_nothing_else(lms):
    names = lms.learners(2)
    wanted = entries(names) + [{"username": "no-such-user-" + uuid.uuid4().hex[:6], "course_id": DEMO}]
    run, result = lms.run(wanted)
    assert result["status"] == "failed"
    assert result["result"]["cause"] == "unknown_user"
    assert wanted[2]["username"] in result["result"]["msg"] and "enrollments[2].username" in result["result"]["msg"]
    assert "Nothing was changed" in result["result"]["msg"]
    assert lms.enrollments(names) == {}
    # only the user checks were posted, and none of them enrolled anyone
    posts = lms.requests_since(run.mark, "POST")
    assert len(posts) == 3 and sum(" 406 " in line for line in posts) == 1


def test_unknown_course_and_unavailable_mode_fail_before_any_post(lms):
    names = lms.learners(2)
    run, result = lms.run(
        [{"username": names[0], "course_id": DEMO}, {"username": names[1], "course_id": "course-v1:No+Such+Course"}]
    )
    assert result["status"] == "failed" and result["result"]["cause"] == "unknown_course"
    assert "course-v1:No+Such+Course" in result["result"]["msg"] and "enrollments[1]" in result["result"]["msg"]
    run2, mode = lms.run([{"username": names[0], "course_id": DEMO, "mode": "professional"}])
    assert mode["status"] == "failed" and mode["result"]["cause"] == "unavailable_mode"
    assert "enrollments[0].mode" in mode["result"]["msg"] and "audit, verified" in mode["result"]["msg"]
    assert lms.requests_since(run.mark, "POST") == []
    assert lms.enrollments(names) == {}


def test_an_unknown_course_fails_before_any_enrollment_is_read(lms):
    """Many entries in unknown course runs: the first unknown run ends the call, no staff list is read."""
    names = lms.learners(1)
    unknown = ["course-v1:No+Such+Run%d" % i for i in range(30)]
    wanted = entries(names) + [{"username": names[0], "course_id": course} for course in unknown]
    run, result = lms.run(wanted)
    assert result["status"] == "failed" and result["result"]["cause"] == "unknown_course"
    assert unknown[0] in result["result"]["msg"] and "enrollments[1]" in result["result"]["msg"]
    done = [line for line in lms.requests_since(run.mark) if " HTTP/1." in line]  # not the LMS's own log lines
    assert len(done) == 2 and all("/course/" in line for line in done), done  # DEMO's run, then the unknown one
    assert lms.enrollments(names) == {}


def test_bad_input_names_the_option_before_any_request(lms):
    run, result = lms.run([{"username": "ok", "course_id": "DemoX"}, {"username": "a b", "course_id": DEMO}])
    assert result["status"] == "failed" and result["result"]["cause"] == "bad_option"
    assert "enrollments[0].course_id" in result["result"]["msg"]
    assert "enrollments[1].username" in result["result"]["msg"]
    assert lms.requests_since(run.mark) == []


def test_a_course_id_with_a_trailing_newline_is_refused_and_enrolls_nobody(lms):
    names = lms.learners(1)
    run, result = lms.run(entries(names, course=DEMO + "\n"))
    assert result["status"] == "failed" and result["result"]["cause"] == "bad_option"
    assert "enrollments[0].course_id" in result["result"]["msg"] and "ends with a line break" in result["result"]["msg"]
    assert lms.requests_since(run.mark) == [] and lms.enrollments(names) == {}


def test_a_learner_token_is_not_allowed_to_enroll_others(lms):
    learner = lms.learners(1)[0]
    checked(
        lms.standin.manage(
            "create_dot_application",
            "learner-app",
            learner,
            "--client-id",
            "cid-" + learner,
            "--client-secret",
            "s-" + learner,
        )
    )
    task = {
        "name": "enroll",
        "edx_enrollment": {
            "lms_url": lms.url,
            "token": lms.token("cid-" + learner, "s-" + learner),
            "enrollments": entries(lms.learners(1)),
        },
    }
    run = lms.play([task])
    result = run.task("enroll")
    assert result["status"] == "failed" and result["result"]["cause"] == "not_allowed"
    assert "global staff" in result["result"]["msg"]


def test_throttled_requests_are_waited_out(standin_factory):
    """Against an LMS whose staff rate is 2 a second, with pacing off: 429s are met and waited out."""
    standin = standin_factory(name="lms-throttle", env={"LMS_THROTTLE_STAFF_RATE": "2/s"})
    checked(standin.manage("manage_user", SVC, SVC + "@example.com", "--staff"))
    checked(
        standin.manage("create_dot_application", "enroll-app", SVC, "--client-id", CLIENT_ID, "--client-secret", SECRET)
    )
    lms = Lms(standin)
    names = lms.learners(6)
    run, result = lms.run(entries(names), requests_per_minute=0)
    assert result["status"] == "ok", result
    assert result["result"]["http"]["throttled"] > 0
    assert sum(" 429 " in line for line in lms.requests_since(run.mark)) == result["result"]["http"]["throttled"]
    assert lms.enrollments(names) == {name: [[DEMO, "audit", True]] for name in names}


def test_enrolling_right_after_the_api_check_meets_no_429(standin_factory):
    """The LMS counts the API check's requests in the same user's minute (contract 10): at a staff rate of
    10 a minute, the check's 2 requests and the call's 9 would meet a 429 if the pacer started empty."""
    standin = standin_factory(name="lms-throttle-check", env={"LMS_THROTTLE_STAFF_RATE": "10/minute"})
    checked(standin.manage("manage_user", SVC, SVC + "@example.com", "--staff"))
    checked(
        standin.manage("create_dot_application", "enroll-app", SVC, "--client-id", CLIENT_ID, "--client-secret", SECRET)
    )
    lms = Lms(standin)
    names = lms.learners(4)
    token = lms.token()
    mark = len(lms.access_log())
    run = lms.play(
        [
            {"name": "check", "edx_api_check": {"lms_url": lms.url, "token": token, "expect_staff": True}},
            {
                "name": "enroll",
                "edx_enrollment": {
                    "lms_url": lms.url,
                    "token": token,
                    "enrollments": entries(names),
                    "requests_per_minute": 10,
                },
            },
        ]
    )
    result = run.task("enroll")
    assert result["status"] == "ok", run.output[-3000:]
    assert result["result"]["http"]["throttled"] == 0
    answered = [line for line in lms.requests_since(mark) if " HTTP/1." in line]
    assert len(answered) == 12 and not any('" 429 ' in line for line in answered)  # 2 + 1 course read + 9
    assert lms.enrollments(names) == {name: [[DEMO, "audit", True]] for name in names}


def test_enroll_playbook_uses_the_roles_token(lms, tmp_path):
    names = lms.learners(2)
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(
        json.dumps(
            {
                "lms": {
                    "hosts": {
                        "standin": {
                            "ansible_connection": "local",
                            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                            "edx_api_access_lms_url": lms.url,
                            "edx_api_access_runner": "command",
                            "edx_api_access_manage_command": list(lms.standin.manage_prefix),
                            "edx_api_access_username": SVC,
                            "edx_api_access_client_id": CLIENT_ID,
                            "edx_api_access_client_secret": SECRET,
                            "edx_api_access_enrollments": entries(names),
                        }
                    }
                }
            }
        )
    )
    first = run_playbook(REPO / "playbooks" / "enroll.yml", inventory=inventory, env=lms.env)
    assert first.rc == 0, first.output
    assert lms.enrollments(names) == {name: [[DEMO, "audit", True]] for name in names}
    again = run_playbook(REPO / "playbooks" / "enroll.yml", inventory=inventory, env=lms.env)
    assert again.rc == 0 and "changed=0" in again.stdout, again.output


def test_api_key_alone_reads_each_enrollment_and_enrolls(lms):
    """The path of an LMS where only the API key may enroll others: no token, no staff list."""
    names = lms.learners(2)
    task = {
        "name": "enroll",
        "edx_enrollment": {
            "lms_url": lms.url,
            "api_key": "PUT_YOUR_API_KEY_HERE",
            "enrollments": entries(names, mode="verified"),
        },
    }
    first = lms.play([task]).task("enroll")
    assert first["status"] == "ok", first
    assert first["result"]["http"]["read_strategy"] == "per_enrollment"
    assert lms.enrollments(names) == {name: [[DEMO, "verified", True]] for name in names}
    assert "PUT_YOUR_API_KEY_HERE" not in json.dumps(first["result"])
    mark = len(lms.access_log())
    again = lms.play([task]).task("enroll")
    assert again["result"]["changed"] is False
    assert [line.split('"')[1].split()[0] for line in lms.requests_since(mark)] == ["GET"] * 3  # course + 2 reads
