# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""edx_user on the module side: options, input validation before the LMS starts, the request."""

from .input import check_email, check_label, check_password, check_username
from .results import ResourceKind, option_name, select_items

USER_OPTIONS = (
    "username",
    "email",
    "staff",
    "superuser",
    "active",
    "groups",
    "password",
    "update_password",
    "state",
    "remove_owned_clients",
)
INHERITED = ("state", "update_password", "remove_owned_clients")


def user_suboptions():
    return dict(
        username=dict(type="str", required=True),
        email=dict(type="str"),
        staff=dict(type="bool"),
        superuser=dict(type="bool"),
        active=dict(type="bool"),
        groups=dict(type="list", elements="str"),
        password=dict(type="str", no_log=True),
        update_password=dict(type="str", choices=["always", "on_create"], no_log=False),
        state=dict(type="str", choices=["present", "absent"]),
        remove_owned_clients=dict(type="bool"),
    )


def user_argument_spec():
    spec = user_suboptions()
    spec["username"] = dict(type="str")
    spec["update_password"] = dict(type="str", default="always", choices=["always", "on_create"], no_log=False)
    spec["state"] = dict(type="str", default="present", choices=["present", "absent"])
    spec["remove_owned_clients"] = dict(type="bool", default=False)
    spec["users"] = dict(type="list", elements="dict", options=user_suboptions())
    return spec


USER_MUTUALLY_EXCLUSIVE = [
    ("users", option) for option in ("username", "email", "staff", "superuser", "active", "groups", "password")
]
USER_REQUIRED_ONE_OF = [("users", "username")]


def users_request(params):
    """Validate the requested users and build the in-LMS request; ValueError names the option."""
    users = select_items(params, "users", USER_OPTIONS, INHERITED)
    if not users:
        raise ValueError("users is empty: give at least one user, or use username.")
    seen, emails = {}, {}
    for user in users:
        validate_user(user)
        if user["username"] in seen:
            raise ValueError(
                'User "%s" is listed twice (%s and %s): list each user once.'
                % (user["username"], seen[user["username"]], user["where"])
            )
        seen[user["username"]] = user["where"]
        email = (user.get("email") or "").lower()
        if email and email in emails:
            raise ValueError(
                "%s and %s give the same e-mail address %s: each user needs its own."
                % (emails[email], option_name(user, "email"), user["email"])
            )
        emails[email] = option_name(user, "email")
    return {"users": users}


USERS = ResourceKind("users", "user", "username", ("password",), users_request)


def validate_user(user):
    if not user.get("username"):
        raise ValueError("%s is missing: name the user." % option_name(user, "username"))
    check_username(user)
    check_email(user)
    check_password(user)
    for group in user.get("groups") or []:
        check_label(user, "groups", 150, value=group)
