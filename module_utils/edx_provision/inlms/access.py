# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs inside the LMS: service users, their OAuth2 clients and a direct token in one transaction.

The entry point of edx_access, and so of the role: one LMS start per host converges everything the
role states. Clients go to django-oauth-toolkit or, on Ginkgo, django-oauth2-provider
(dop_clients.oauth_backend). Users are planned first, so a client may be owned by a user
this same call creates; everything is validated before the first write, applied in order (users, then clients), re-read,
and the token (when asked for) is made last. A failure anywhere leaves the LMS as it was.
"""

if __name__ != "edx_provision":  # imported by the module or the tests; in the LMS the parts are concatenated
    from .base import ENTRY_POINTS, ProvisionError, apply_groups
    from .clients import public_client_plan
    from .dop_clients import oauth_backend, oauth_clients
    from .tokens import make_token
    from .users import plan_users, public_user_plan, user_group


def ensure_access(request):
    """Entry point: plan users and clients, apply both groups, then make the token if asked."""
    check_mode = request["check_mode"]
    user_plans = plan_users(request.get("users") or [])
    creates = [plan["username"] for plan in user_plans if plan["action"] == "create"]
    backend = oauth_backend(request.get("backend", "auto"))
    if backend == "dop" and request.get("token"):
        raise ProvisionError(
            "direct_token makes a django-oauth-toolkit token, and this LMS's clients are in django-oauth2-provider "
            "(backend dop): leave direct_token out and mint the token at the token endpoint (edx_token)."
        )
    client_plans, warnings, clients_group = oauth_clients(request.get("clients") or [], check_mode, backend, creates)
    apply_groups([user_group(user_plans), clients_group], check_mode)
    result = {
        "users": [public_user_plan(plan) for plan in user_plans],
        "clients": [public_client_plan(plan, plan["generated_secret"]) for plan in client_plans],
        "warnings": warnings,
    }
    if request.get("token"):
        pending = any(plan["action"] != "none" for plan in user_plans + client_plans)
        if check_mode and pending:
            result["token"] = None
            warnings.append("Check mode: the users or clients would change first, so no token was made.")
        else:
            token = make_token(request["token"])
            del token["access_token"]  # the caller chose the value; it never travels back
            result["token"] = token
            result["commit_in_check_mode"] = True
    return result


ENTRY_POINTS["ensure_access"] = ensure_access
