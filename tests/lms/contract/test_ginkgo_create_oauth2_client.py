"""Contract §1.4 and §9: edx-oauth2-provider's `create_oauth2_client` on the ginkgo flavour.

`create_oauth2_client URL REDIRECT_URI confidential|public [-u] [-n] [-i] [-s] [-t]
[--logout_uri]`: stdout is the client as pretty JSON, client_secret and the owner's password
hash included; stderr quiet apart from the start-up noise; upsert by client_id (omitted
options keep their values, an omitted -t removes trusted status); errors are
`CommandError:` on stderr with exit 1 and nothing saved.
"""

import json
import uuid

import pytest

URL, REDIRECT = "https://ecommerce.example.com", "https://ecommerce.example.com/complete/edx-oidc/"

CLIENT_STATE = r"""
import json, sys
from provider.oauth2.models import Client
from edx_oauth2_provider.models import TrustedClient
ids = json.load(sys.stdin)
rows = []
for c in Client.objects.filter(client_id__in=ids).select_related("user").order_by("id"):
    rows.append({"client_id": c.client_id, "secret": c.client_secret, "name": c.name, "url": c.url,
                 "redirect_uri": c.redirect_uri, "type": c.client_type, "logout_uri": c.logout_uri,
                 "user": c.user.username if c.user else None,
                 "trusted": TrustedClient.objects.filter(client=c).exists()})
print(json.dumps(rows))
"""


@pytest.fixture(scope="module")
def owner(ginkgo):
    name = f"worker-{uuid.uuid4().hex[:8]}"
    ginkgo.setup(users=[{"username": name, "password": "owner-pw"}])
    return name


def state(ginkgo, *client_ids):
    return ginkgo.orm(CLIENT_STATE, input=json.dumps(list(client_ids)))


def noise_free(stderr):
    return [
        line for line in stderr.splitlines() if "RemovedInDjango19Warning" not in line and not line.startswith("  ")
    ]


def test_creates_a_client_and_prints_it_with_the_secret_and_the_password_hash(ginkgo, owner):
    cid = f"cid-{uuid.uuid4().hex[:8]}"
    result = ginkgo.manage(
        "create_oauth2_client",
        URL,
        REDIRECT,
        "confidential",
        "-u",
        owner,
        "-n",
        "ecommerce",
        "-i",
        cid,
        "-s",
        "s3cret",
        "-t",
        "--logout_uri",
        "",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert noise_free(result.stderr) == []
    assert result.stdout.startswith("{\n    ")  # indented JSON
    printed = json.loads(result.stdout)
    assert set(printed) == {
        "user",
        "name",
        "url",
        "redirect_uri",
        "client_id",
        "client_secret",
        "client_type",
        "logout_uri",
    }
    assert printed["client_secret"] == "s3cret" and printed["client_type"] == 0
    assert printed["user"]["username"] == owner
    assert printed["user"]["password"].startswith("md5$")  # the owner's password hash, on stdout
    assert state(ginkgo, cid) == [
        {
            "client_id": cid,
            "secret": "s3cret",
            "name": "ecommerce",
            "url": URL,
            "redirect_uri": REDIRECT,
            "type": 0,
            "logout_uri": "",
            "user": owner,
            "trusted": True,
        }
    ]


def test_rerun_upserts_by_client_id_and_an_omitted_t_drops_trust(ginkgo, owner):
    cid = f"cid-{uuid.uuid4().hex[:8]}"
    first = ginkgo.manage(
        "create_oauth2_client",
        URL,
        REDIRECT,
        "confidential",
        "-u",
        owner,
        "-n",
        "first",
        "-i",
        cid,
        "-s",
        "one",
        "-t",
        "--logout_uri",
        URL + "/logout",
    )
    second = ginkgo.manage("create_oauth2_client", URL + "/v2", REDIRECT, "PUBLIC", "-i", cid, "-s", "two")
    assert first.returncode == 0 and second.returncode == 0, second.stderr[-2000:]
    # One row; the given fields changed, the omitted ones (-u, -n, --logout_uri) kept, -t gone.
    assert state(ginkgo, cid) == [
        {
            "client_id": cid,
            "secret": "two",
            "name": "first",
            "url": URL + "/v2",
            "redirect_uri": REDIRECT,
            "type": 1,
            "logout_uri": URL + "/logout",
            "user": owner,
            "trusted": False,
        }
    ]


def test_without_client_id_every_run_creates_a_new_client(ginkgo):
    printed = []
    for _ in range(2):
        result = ginkgo.manage("create_oauth2_client", URL, REDIRECT, "public", "-n", "anonymous")
        assert result.returncode == 0
        printed.append(json.loads(result.stdout))
    ids = [client["client_id"] for client in printed]
    assert ids[0] != ids[1] and all(len(client_id) == 20 for client_id in ids)
    assert all(len(client["client_secret"]) == 40 for client in printed)
    assert printed[0]["user"] is None
    assert len(state(ginkgo, *ids)) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("not a url", REDIRECT, "confidential"), "URLs provided are invalid."),
        ((URL, "nope", "confidential"), "URLs provided are invalid."),
        ((URL, REDIRECT, "secret"), "Client type provided is invalid."),
        ((URL, REDIRECT, "confidential", "-u", "nobody-here"), "User matching the provided username does not exist."),
        ((URL, REDIRECT, "confidential", "--logout_uri", "nope"), "The logout URI provided is invalid."),
    ],
)
def test_errors_are_command_errors_and_save_nothing(ginkgo, args, message):
    cid = f"cid-{uuid.uuid4().hex[:8]}"
    result = ginkgo.manage("create_oauth2_client", *args, "-i", cid)
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"CommandError: {message}" in result.stderr
    assert state(ginkgo, cid) == []


def test_a_missing_argument_is_a_usage_error(ginkgo):
    result = ginkgo.manage("create_oauth2_client", URL, REDIRECT)
    assert result.returncode == 2
    assert "the following arguments are required: client_type" in result.stderr


def test_clients_are_dop_rows_in_oauth2_client(ginkgo, owner):
    cid = f"cid-{uuid.uuid4().hex[:8]}"
    ginkgo.manage("create_oauth2_client", URL, REDIRECT, "confidential", "-u", owner, "-i", cid, "-s", "x")
    tables = ginkgo.orm(
        "import json; from provider.oauth2.models import AccessToken, Client, RefreshToken;"
        " from edx_oauth2_provider.models import TrustedClient;"
        " print(json.dumps([m._meta.db_table for m in (Client, AccessToken, RefreshToken, TrustedClient)]))"
    )
    assert tables == ["oauth2_client", "oauth2_accesstoken", "oauth2_refreshtoken", "oauth2_provider_trustedclient"]
