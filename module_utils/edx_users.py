"""edx_user on the module side: options, input validation before the LMS starts, the request."""

import re

from ansible.module_utils.edx_results import option_name, select_items

USER_OPTIONS = ("username", "email", "staff", "superuser", "groups", "password", "update_password", "state")
INHERITED = ("state", "update_password")

# Django's username validator (UnicodeUsernameValidator) and field length.
USERNAME = re.compile(r"^[\w.@+-]+$", re.UNICODE)
EMAIL = re.compile(r"^[^@\s]+@([^@\s.]+\.)+[^@\s.]+$|^[^@\s]+@localhost$")


def user_suboptions():
    return dict(
        username=dict(type="str", required=True),
        email=dict(type="str"),
        staff=dict(type="bool"),
        superuser=dict(type="bool"),
        groups=dict(type="list", elements="str"),
        password=dict(type="str", no_log=True),
        update_password=dict(type="str", choices=["always", "on_create"], no_log=False),
        state=dict(type="str", choices=["present", "absent"]),
    )


def user_argument_spec():
    spec = user_suboptions()
    spec["username"] = dict(type="str")
    spec["update_password"] = dict(type="str", default="always", choices=["always", "on_create"], no_log=False)
    spec["state"] = dict(type="str", default="present", choices=["present", "absent"])
    spec["users"] = dict(type="list", elements="dict", options=user_suboptions())
    return spec


USER_MUTUALLY_EXCLUSIVE = [("users", option) for option in
                           ("username", "email", "staff", "superuser", "groups", "password")]
USER_REQUIRED_ONE_OF = [("users", "username")]


def users_request(params):
    """Validate the requested users and build the in-LMS request; ValueError names the option."""
    users = select_items(params, "users", USER_OPTIONS, INHERITED)
    if not users:
        raise ValueError("users is empty: give at least one user, or use username.")
    seen = {}
    for user in users:
        validate_user(user)
        if user["username"] in seen:
            raise ValueError(
                'User "%s" is listed twice (%s and %s): list each user once.'
                % (user["username"], seen[user["username"]], user["where"])
            )
        seen[user["username"]] = user["where"]
    return {"users": users}


def validate_user(user):
    username = user["username"]
    if not username or len(username) > 150 or not USERNAME.match(username):
        raise ValueError(
            "%s %r is not a valid LMS username: use 1 to 150 letters, digits and @ . + - _ only."
            % (option_name(user, "username"), username)
        )
    if user.get("email") is not None and not EMAIL.match(user["email"]):
        raise ValueError(
            "%s %r is not a valid e-mail address: give it as name@example.com."
            % (option_name(user, "email"), user["email"])
        )
    if user.get("password") == "":
        raise ValueError(
            "%s is empty: leave it out to keep the user's current password, or give one."
            % option_name(user, "password")
        )
    for group in user.get("groups") or []:
        if not group.strip():
            raise ValueError("%s holds an empty group name: remove it." % option_name(user, "groups"))
