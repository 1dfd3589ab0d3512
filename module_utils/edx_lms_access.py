"""Runs inside the LMS: service users, their OAuth2 clients and a direct token in one transaction.

The entry point of edx_access, and so of the role: one LMS start per host converges everything the
role states. Users are planned first, so a client may be owned by a user this same call creates;
everything is validated before the first write, applied in order (users, then clients), re-read,
and the token (when asked for) is made last. A failure anywhere leaves the LMS as it was.
"""

if __name__ != "edx_provision":  # imported by the module or the tests; in the LMS the parts are concatenated
    from ansible.module_utils.edx_lms_base import ENTRY_POINTS, apply_groups
    from ansible.module_utils.edx_lms_clients import client_group, plan_clients, public_client_plan
    from ansible.module_utils.edx_lms_tokens import make_token
    from ansible.module_utils.edx_lms_users import plan_users, public_user_plan, user_group


def ensure_access(request):
    """Entry point: plan users and clients, apply both groups, then make the token if asked."""
    check_mode = request["check_mode"]
    user_plans = plan_users(request.get("users") or [])
    creates = [plan["username"] for plan in user_plans if plan["action"] == "create"]
    client_plans, warnings = plan_clients(request.get("clients") or [], check_mode, creates)
    apply_groups([user_group(user_plans), client_group(client_plans)], check_mode)
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
