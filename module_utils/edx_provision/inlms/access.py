# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs inside the LMS: service users, their OAuth2 clients and direct tokens in one transaction.

The entry point of edx_access, and so of the role: one LMS start per host converges everything the
role states, for any number of accounts. Clients go to django-oauth-toolkit or, on Ginkgo,
django-oauth2-provider (dop_clients.oauth_backend). Users are planned first, so a client may be owned
by a user this same call creates; a user this call removes does not count the clients this call
removes as its own. Everything is validated before the first write, then applied in order: users
created or updated, clients, users removed; re-read; the tokens (when asked for) are made last. A
failure anywhere leaves the LMS as it was.
"""

if __name__ != "edx_provision":  # imported on the controller or by tests; in the LMS the parts are concatenated
    from .base import ENTRY_POINTS, ProvisionError, apply_groups
    from .clients import public_client_plan
    from .dop_clients import oauth_backend, oauth_clients
    from .tokens import make_token
    from .users import plan_users, public_user_plan, user_group


def ensure_access(request):
    """Entry point: plan users and clients, apply them in order, then make the tokens asked for."""
    check_mode = request["check_mode"]
    wanted_tokens = request.get("tokens") or []
    backend = oauth_backend(request.get("backend", "auto"))
    if backend == "dop" and wanted_tokens:
        raise ProvisionError(
            "direct_tokens makes django-oauth-toolkit tokens, and this LMS's clients are in django-oauth2-provider "
            "(backend dop): leave direct_tokens out and mint the tokens at the token endpoint (edx_token)."
        )
    clients = request.get("clients") or []
    removed_clients = [
        (backend, want["client_id"]) for want in clients if want["state"] == "absent" and want.get("client_id")
    ]
    user_plans = plan_users(request.get("users") or [], removed_clients)
    creates = [plan["username"] for plan in user_plans if plan["action"] == "create"]
    client_plans, warnings, clients_group = oauth_clients(clients, check_mode, backend, creates)
    kept = [plan for plan in user_plans if plan["action"] != "delete"]
    removed = [plan for plan in user_plans if plan["action"] == "delete"]
    apply_groups([user_group(kept), clients_group, user_group(removed)], check_mode)
    result = {
        "users": [public_user_plan(plan) for plan in user_plans],
        "clients": [public_client_plan(plan, plan["generated_secret"]) for plan in client_plans],
        "warnings": warnings,
    }
    if wanted_tokens and check_mode:
        result["tokens"] = [None] * len(wanted_tokens)
        warnings.append("Check mode: a token is a row in the LMS's database, so none was made.")
    elif wanted_tokens:
        result["tokens"] = [made_token(want) for want in wanted_tokens]
    return result


def made_token(want):
    """The description of a token made for `want`; its value, the caller's choice, never travels back."""
    token = make_token(want)
    del token["access_token"]
    return token


ENTRY_POINTS["ensure_access"] = ensure_access
