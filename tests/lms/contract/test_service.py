"""Issue points 7 and 8: /heartbeat, the admin, the oauth2_off flavour, and running
instances (control.py up/down/status, several side by side, port conflicts)."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests


# ------------------------------------------------------------------ heartbeat
def test_heartbeat_ok(lms):
    response = lms.get("/heartbeat")
    assert response.status_code == 200
    assert response.json() == {
        "modulestore": {"status": True, "message": "OK"},
        "sql": {"status": True, "message": "OK"},
    }
    assert lms.get("/heartbeat/").status_code == 404


def test_heartbeat_503_when_the_database_is_unreachable(standin_factory):
    lms = standin_factory(name="lms-heartbeat")
    db = lms.db_path
    hidden = db.with_name("db.sqlite3.hidden")
    os.replace(db, hidden)
    try:
        response = requests.get(lms.url + "/heartbeat", timeout=10)
    finally:
        os.replace(hidden, db)
    assert response.status_code == 503
    assert response.json() == {"error": "unable to open database file"}
    assert requests.get(lms.url + "/heartbeat", timeout=10).status_code == 200


# ------------------------------------------------------------------ admin
def login(lms, username, password):
    session = requests.Session()
    url = lms.url + "/admin/login/"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(url, timeout=10).text).group(1)
    session.post(
        url,
        data={"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"},
        headers={"Referer": url},
        timeout=10,
    )
    return session


def test_admin_lists_users_and_oauth_applications(lms):
    anonymous = lms.get("/admin/", allow_redirects=False)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/admin/login/")
    admin = lms.actors(staff=True, superuser=True)
    session = login(lms, admin["caller"], admin["caller_password"])
    index = session.get(lms.url + "/admin/", timeout=10)
    assert index.status_code == 200 and "Applications" in index.text and "Users" in index.text
    apps = session.get(lms.url + "/admin/oauth2_provider/application/", timeout=10)
    assert apps.status_code == 200 and f"app-{admin['uid']}" in apps.text
    users = session.get(lms.url + "/admin/auth/user/", params={"q": admin["caller"]}, timeout=10)
    assert users.status_code == 200 and admin["caller"] in users.text
    access = session.get(lms.url + "/admin/oauth_dispatch/applicationaccess/add/", timeout=10)
    assert access.status_code == 200
    css = session.get(lms.url + "/static/admin/css/base.css", timeout=10)
    assert css.status_code == 200


# ------------------------------------------------------------------ oauth2_off
def test_oauth2_off_every_oauth2_url_is_404(standin_factory):
    lms = standin_factory(settings="oauth2_off", name="lms-oauth2-off")
    for path in (
        "/oauth2/access_token",
        "/oauth2/access_token/",
        "/oauth2/authorize/",
        "/oauth2/revoke_token/",
        "/oauth2/",
        "/oauth2/anything",
    ):
        assert requests.post(lms.url + path, data={"grant_type": "client_credentials"}, timeout=10).status_code == 404
        assert requests.get(lms.url + path, timeout=10).status_code == 404
    assert requests.get(lms.url + "/heartbeat", timeout=10).status_code == 200
    detail = requests.get(lms.url + "/api/enrollment/v1/course/course-v1:edX+DemoX+Demo_Course", timeout=10)
    assert detail.status_code == 200


# ------------------------------------------------------------------ instances
def test_two_instances_side_by_side_are_independent(lms, standin, other_standin, client_for):
    other = client_for(other_standin)
    assert standin.state_dir != other_standin.state_dir and standin.port != other_standin.port
    assert lms.get("/heartbeat").status_code == 200 and other.get("/heartbeat").status_code == 200
    actors = lms.actors()
    assert (
        lms.token_response(
            {"grant_type": "client_credentials", "client_id": actors["client_id"], "client_secret": actors["secret"]}
        ).status_code
        == 200
    )
    elsewhere = other.token_response(
        {"grant_type": "client_credentials", "client_id": actors["client_id"], "client_secret": actors["secret"]}
    )
    assert elsewhere.status_code == 401


CONTROL = Path(__file__).resolve().parents[1] / "control.py"


def cli(action, port, state_dir, settings="production"):
    """control.py as the Makefile runs it (lms-up / lms-down), configured by the environment."""
    env = {**os.environ, "LMS_PORT": str(port), "LMS_STATE_DIR": str(state_dir), "LMS_SETTINGS": settings}
    return subprocess.run([sys.executable, str(CONTROL), action], capture_output=True, text=True, env=env, timeout=180)


def test_cli_up_twice_status_down_on_a_fresh_state_dir(tmp_path, standin_control):
    port = standin_control.free_port()
    state = tmp_path / "fresh"
    first = cli("up", port, state)
    try:
        assert first.returncode == 0, first.stderr
        assert f"stand-in LMS started on http://127.0.0.1:{port}" in first.stdout
        pid = re.search(r"pid (\d+)", first.stdout).group(1)
        assert requests.get(f"http://127.0.0.1:{port}/heartbeat", timeout=10).status_code == 200
        assert {
            "db.sqlite3",
            "jwt_signing_key.jwk.json",
            "secret_key",
            "server.json",
            "gunicorn.pid",
            "server.log",
        } <= {p.name for p in state.iterdir()}
        assert not (state / "boots.log").exists()  # migrating is not a manage.py boot

        second = cli("up", port, state)
        assert second.returncode == 0 and "already running" in second.stdout
        assert re.search(r"pid (\d+)", second.stdout).group(1) == pid

        clash = cli("up", port, state, settings="hashed_secrets")
        assert clash.returncode == 1 and "already runs" in clash.stderr

        status = cli("status", port, state)
        assert status.returncode == 0 and f"running: pid {pid}" in status.stdout

        demo = requests.get(
            f"http://127.0.0.1:{port}/api/enrollment/v1/course/course-v1:edX+DemoX+Demo_Course", timeout=10
        )
        assert [m["slug"] for m in demo.json()["course_modes"]] == ["audit", "verified"]
    finally:
        # `down` runs without site-packages: it needs only the standard library.
        down = subprocess.run(
            [sys.executable, "-S", str(CONTROL), "down"],
            capture_output=True,
            text=True,
            env={**os.environ, "LMS_STATE_DIR": str(state)},
            timeout=60,
        )
    assert down.returncode == 0 and "stopped" in down.stdout, down.stderr
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/heartbeat", timeout=5)
    assert cli("status", port, state).returncode == 3
    again = cli("down", port, state)
    assert again.returncode == 0 and "no stand-in LMS running" in again.stdout


def test_port_taken_by_something_else_is_a_clear_error(tmp_path, standin_control):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = cli("up", port, tmp_path / "squat")
        with pytest.raises(standin_control.PortInUseError):
            standin_control.StandinLMS(port, tmp_path / "squat2").start()
    assert result.returncode == 1
    assert f"127.0.0.1:{port} is already in use by another process" in result.stderr


def test_start_is_idempotent_in_python(standin):
    pid = standin.pid()
    assert standin.start() is standin
    assert standin.pid() == pid
