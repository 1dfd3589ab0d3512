"""The LMS's TrackMiddleware (Ginkgo and today): every POST body goes to the tracking log with only the
password fields censored, headers never; and the client authentication both back ends take with the
secret out of the body: client_id in the form, the secret only in HTTP Basic."""

import base64
import json
import uuid

import pytest

# Both back ends read these alike in the Basic header; DOP does not form-decode, DOT does.
PLAIN = "plain-Secret_0123.~!*$@/=?&"
SPECIAL = {"colon": "with:colon-0123456", "plus": "with+plus-01234567", "percent": "with%41percent-012"}


def tracked(client):
    """The request events the stand-in's tracking log holds so far, as (path, event text)."""
    log = client.lms.state_dir / "tracking.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return [(entry["event_type"], entry["event"]) for entry in map(json.loads, lines)]


def basic(client_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


@pytest.fixture(scope="module", params=["production", "ginkgo"])
def world(request):
    client = request.getfixturevalue("lms" if request.param == "production" else "ginkgo")
    uid = uuid.uuid4().hex[:8]
    owner = f"owner-{uid}"
    apps = [
        {"name": "cc", "owner": owner, "client_id": f"dot-{uid}", "secret": PLAIN},
        {"name": "pw", "owner": owner, "client_id": f"pw-{uid}", "secret": PLAIN, "grant": "password"},
    ]
    apps += [{"name": k, "owner": owner, "client_id": f"dot-{k}-{uid}", "secret": s} for k, s in SPECIAL.items()]
    spec = dict(users=[{"username": owner, "password": f"pw-{uid}-owner"}], apps=apps)
    if request.param == "ginkgo":
        spec["dop_clients"] = [{"owner": owner, "client_id": f"dop-{uid}", "secret": PLAIN}] + [
            {"owner": owner, "client_id": f"dop-{k}-{uid}", "secret": s} for k, s in SPECIAL.items()
        ]
    client.setup(**spec)
    return dict(client=client, uid=uid, owner=owner, ginkgo=request.param == "ginkgo")


def test_a_form_client_secret_lands_in_the_tracking_log_in_clear(world):
    client, uid = world["client"], world["uid"]
    response = client.token_response(
        {"grant_type": "client_credentials", "client_id": f"dot-{uid}", "client_secret": PLAIN}
    )
    assert response.status_code == 200, response.text
    path, event = tracked(client)[-1]
    assert path == "/oauth2/access_token" and f'"client_secret": ["{PLAIN}"]' in event


def test_the_password_field_is_censored_and_headers_are_not_recorded(world):
    client, uid = world["client"], world["uid"]
    password = f"pw-{uid}-owner"
    form = {"grant_type": "password", "client_id": f"pw-{uid}", "username": world["owner"], "password": password}
    response = client.token_response(form, headers=basic(f"pw-{uid}", PLAIN))
    assert response.status_code == 200, response.text
    path, event = tracked(client)[-1]
    assert '"password": "********"' in event and f'"username": ["{world["owner"]}"]' in event
    assert password not in event and PLAIN not in event and "Basic" not in event


def test_heartbeat_is_not_tracked(world):
    client = world["client"]
    before = len(tracked(client))
    assert client.get("/heartbeat").status_code == 200
    assert len(tracked(client)) == before


@pytest.mark.parametrize("back_end", ["dot", "dop"])
def test_client_id_in_the_form_and_the_secret_only_in_basic_mints_on_both_back_ends(world, back_end):
    client, uid = world["client"], world["uid"]
    if back_end == "dop" and not world["ginkgo"]:
        pytest.skip("today's LMS has no DOP")
    form = {"grant_type": "client_credentials", "client_id": f"{back_end}-{uid}"}
    response = client.token_response(form, headers=basic(f"{back_end}-{uid}", PLAIN))
    assert response.status_code == 200, response.text
    assert PLAIN not in tracked(client)[-1][1]
    wrong = client.token_response(form, headers=basic(f"{back_end}-{uid}", PLAIN + "x"))
    assert wrong.status_code == (400 if back_end == "dop" else 401) and wrong.json()["error"] == "invalid_client"


@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_dot_form_decodes_basic_credentials_and_dop_takes_them_as_they_are(world, kind):
    """DOT: %, + and : must be escaped to reach it. DOP: never decoded, and a second ':' is unreadable."""
    client, uid, secret = world["client"], world["uid"], SPECIAL[kind]
    escaped = secret.replace("%", "%25").replace("+", "%2B").replace(":", "%3A")
    form = {"grant_type": "client_credentials", "client_id": f"dot-{kind}-{uid}"}
    assert client.token_response(form, headers=basic(f"dot-{kind}-{uid}", escaped)).status_code == 200
    if not world["ginkgo"]:
        return
    form = {"grant_type": "client_credentials", "client_id": f"dop-{kind}-{uid}"}
    raw = client.token_response(form, headers=basic(f"dop-{kind}-{uid}", secret))
    assert raw.status_code == (400 if kind == "colon" else 200), raw.text
    assert client.token_response(form, headers=basic(f"dop-{kind}-{uid}", escaped)).status_code == 400
