# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""edx_access on the module side: users, clients and a direct token as one request, checked first.

The role's LMS side in one LMS start: the users and clients lists take the options of edx_user and
edx_oauth_client (with their defaults), and `direct_token` asks for a bearer token whose value the caller
chose, so that the token never travels back in a result.
"""

import re

from ..vocabulary import iso_utc
from .client_options import BACKENDS, CLIENTS, client_suboptions, clients_request
from .input import check_username
from .user_options import USERS, user_suboptions, users_request

LIST_DEFAULTS = {
    "users": {"state": "present", "update_password": "always", "remove_owned_clients": False},
    "clients": {"state": "present", "return_secret": False, "allow_owner_change": False},
}
TOKEN_VALUE = re.compile(r"[A-Za-z0-9_-]{32,255}")  # AccessToken.token holds 255; guessable below 32


def access_argument_spec():
    return dict(
        users=dict(type="list", elements="dict", options=user_suboptions()),
        clients=dict(type="list", elements="dict", options=client_suboptions()),
        backend=dict(type="str", default="auto", choices=BACKENDS),
        # Not secret as a whole (client, user, scope, lifetime); its `value` is no_log.
        direct_token=dict(
            type="dict",
            no_log=False,
            options=dict(
                client_id=dict(type="str", required=True),
                value=dict(type="str", required=True, no_log=True),
                username=dict(type="str"),
                scope=dict(type="list", elements="str"),
                expires_in=dict(type="int", default=36000),
            ),
        ),
    )


def list_request(build, list_key):
    """A request builder for one list of edx_access: empty when left out, else as the single-purpose module."""

    def build_request(params):
        if not params.get(list_key):
            return {list_key: []}
        return build(dict(LIST_DEFAULTS[list_key], **{list_key: params[list_key]}))

    return build_request


ACCESS_USERS = USERS._replace(build_request=list_request(users_request, "users"))
ACCESS_CLIENTS = CLIENTS._replace(build_request=list_request(clients_request, "clients"))
ACCESS_KINDS = [ACCESS_USERS, ACCESS_CLIENTS]


def token_request(params):
    """The `token` part of the request, checked (none when no token is asked for), and the clients' back end."""
    token = params.get("direct_token")
    backend = {"backend": params.get("backend") or "auto"}
    if not token:
        if not params.get("users") and not params.get("clients"):
            raise ValueError("Nothing to do: give users, clients or direct_token.")
        return backend
    if not TOKEN_VALUE.fullmatch(token["value"]):
        raise ValueError(
            "direct_token.value must be 32 to 255 letters, digits, - and _ (for example "
            "lookup('community.general.random_string', length=40, special=false)); it is the token itself."
        )
    if token["expires_in"] <= 0:
        raise ValueError("direct_token.expires_in must be a positive number of seconds, got %s." % token["expires_in"])
    if token.get("username"):
        check_username({"where": "direct_token", "username": token["username"]})
    return dict(
        backend,
        token={
            "client_id": token["client_id"],
            "value": token["value"],
            "username": token.get("username"),
            "scope": " ".join(token.get("scope") or []),
            "expires_in": token["expires_in"],
        },
    )


def token_result(answer, result, now):
    """Add the token's description (never its value) to the module's result."""
    token = answer.get("token")
    if token is not None:
        token = dict(token, token_type="bearer", expires_at=iso_utc(now + token["expires_in"]))  # noqa: S106
    result["token"] = token
