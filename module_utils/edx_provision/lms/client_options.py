# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""edx_oauth_client on the module side: options, input validation before the LMS starts, the request."""

from ..vocabulary import CLIENT_TYPES, GRANT_TYPES
from .input import (
    CLIENT_ID,
    check_label,
    check_pattern,
    check_redirect_uris,
    check_scopes,
    check_secret,
    check_username,
)
from .results import ResourceKind, option_name, select_items

CLIENT_OPTIONS = (
    "name",
    "owner",
    "client_id",
    "client_secret",
    "grant_type",
    "client_type",
    "redirect_uris",
    "scopes",
    "skip_authorization",
    "state",
    "return_secret",
    "allow_owner_change",
)
INHERITED = ("state", "return_secret", "allow_owner_change")
BACKENDS = ["auto", "dot", "dop"]  # django-oauth-toolkit or django-oauth2-provider (Ginkgo)


def client_suboptions():
    return dict(
        name=dict(type="str"),
        owner=dict(type="str"),
        client_id=dict(type="str"),
        client_secret=dict(type="str", no_log=True),
        grant_type=dict(type="str", choices=list(GRANT_TYPES)),
        client_type=dict(type="str", choices=list(CLIENT_TYPES)),
        redirect_uris=dict(type="list", elements="str"),
        scopes=dict(type="list", elements="str"),
        skip_authorization=dict(type="bool"),
        state=dict(type="str", choices=["present", "absent"]),
        return_secret=dict(type="bool"),
        allow_owner_change=dict(type="bool"),
    )


def client_argument_spec():
    spec = client_suboptions()
    spec["state"] = dict(type="str", default="present", choices=["present", "absent"])
    spec["return_secret"] = dict(type="bool", default=False)
    spec["allow_owner_change"] = dict(type="bool", default=False)
    spec["clients"] = dict(type="list", elements="dict", options=client_suboptions())
    spec["backend"] = dict(type="str", default="auto", choices=BACKENDS)
    return spec


CLIENT_MUTUALLY_EXCLUSIVE = [("clients", option) for option in CLIENT_OPTIONS if option not in INHERITED]
CLIENT_REQUIRED_ONE_OF = [("clients", "client_id", "name")]


def clients_request(params):
    """Validate the requested clients and build the in-LMS request; ValueError names the option."""
    clients = select_items(params, "clients", CLIENT_OPTIONS, INHERITED)
    if not clients:
        raise ValueError("clients is empty: give at least one client, or use name and owner.")
    seen = {}
    for client in clients:
        validate_client(client)
        for key in identities(client):
            if key in seen:
                raise ValueError(
                    "%s and %s name the same OAuth2 client: list each client once."
                    % (seen[key] or "the task", client["where"] or "the task")
                )
            seen[key] = client["where"]
    return {"clients": clients, "backend": params.get("backend") or "auto"}


CLIENTS = ResourceKind("clients", "OAuth2 client", "name", ("client_secret",), clients_request)


def identities(client):
    keys = []
    if client.get("client_id"):
        keys.append(("client_id", client["client_id"]))
    if client.get("owner") and client.get("name"):
        keys.append(("owner/name", client["owner"], client["name"]))
    return keys


def validate_client(client):
    if not client.get("client_id") and not (client.get("name") and client.get("owner")):
        raise ValueError(
            "%s: an OAuth2 client is found by client_id, or by name and owner: give client_id, or "
            "both %s and %s."
            % (client["where"] or "edx_oauth_client", option_name(client, "name"), option_name(client, "owner"))
        )
    check_label(client, "name", 255)
    check_username(client, "owner")
    check_pattern(client, "client_id", CLIENT_ID, "1 to 100 printable ASCII characters without spaces")
    check_secret(client)
    check_redirect_uris(client)
    check_scopes(client)
