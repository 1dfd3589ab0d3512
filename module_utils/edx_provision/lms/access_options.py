# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""edx_access on the controller: users, clients and direct tokens as one request, checked first.

The role's LMS side in one LMS start: the users and clients lists take the options of edx_user and
edx_oauth_client (with their defaults), and each entry of `direct_tokens` asks for a bearer token whose
value the caller chose, so that the token never travels back in a result.
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
TOKEN_LIFETIME_MAX = 10 * 365 * 86400  # ten years; far beyond, the LMS's date arithmetic overflows


def access_argument_spec():
    return dict(
        users=dict(type="list", elements="dict", options=user_suboptions()),
        clients=dict(type="list", elements="dict", options=client_suboptions()),
        backend=dict(type="str", default="auto", choices=BACKENDS),
        # Not secret as a whole (client, user, scope, lifetime); each `value` is no_log.
        direct_tokens=dict(
            type="list",
            elements="dict",
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
    """The `tokens` part of the request, checked (none when no token is asked for), and the clients' back end."""
    wanted = params.get("direct_tokens") or []
    backend = {"backend": params.get("backend") or "auto"}
    if not wanted and not params.get("users") and not params.get("clients"):
        raise ValueError("Nothing to do: give users, clients or direct_tokens.")
    tokens = []
    for index, token in enumerate(wanted):
        where = "direct_tokens[%d]" % index
        if not TOKEN_VALUE.fullmatch(token["value"]):
            raise ValueError(
                "%s.value must be 32 to 255 letters, digits, - and _ (for example "
                "lookup('community.general.random_string', length=40, special=false)); it is the token itself." % where
            )
        if not 0 < token["expires_in"] <= TOKEN_LIFETIME_MAX:
            raise ValueError(
                "%s.expires_in must be a positive number of seconds up to %d (ten years), got %s."
                % (where, TOKEN_LIFETIME_MAX, token["expires_in"])
            )
        if token.get("username"):
            check_username({"where": where, "username": token["username"]})
        token = dict(token, scope=" ".join(token.get("scope") or []))
        tokens.append({key: token.get(key) for key in ("client_id", "value", "username", "scope", "expires_in")})
    return dict(backend, tokens=tokens) if tokens else backend


def token_result(answer, result, now):
    """Add the tokens' descriptions (never their values) to the module's result."""
    result["tokens"] = [
        None if token is None else dict(token, token_type="bearer", expires_at=iso_utc(now + token["expires_in"]))  # noqa: S106
        for token in answer.get("tokens") or []
    ]
