"""Runs inside the LMS: ensure service users through edx's own `manage_user` command.

`manage_user`'s flags are absolute (leaving out --staff demotes, leaving out -g strips groups), so
each call passes the user's final flags: the requested ones, and the current ones where the task
left an option out. Passwords: `--initial-password-hash` on creation (hashed here, with the LMS's
own hasher), `set_password` afterwards, and only when the password differs.
"""

if __name__ != "edx_provision":  # imported by the module or the tests; in the LMS the parts are concatenated
    from ansible.module_utils.edx_lms_base import ENTRY_POINTS, ProvisionError, apply_all, label


def same_email(first, second):
    """manage_user compares addresses case-insensitively; so do we."""
    return (first or "").lower() == (second or "").lower()


def plan_user(want, have, password_matches):
    """Decide what to do for one user: action, changed properties, and the state before and after.

    `want` holds the task's options (None = leave as is), `have` the LMS's current state (None when
    the user does not exist), `password_matches` whether the given password is the current one.
    """
    where, username = want["where"], want["username"]
    email = want.get("email")
    if have is not None and email and not same_email(email, have["email"]):
        raise ProvisionError(
            'User "%s" exists on the LMS with e-mail "%s", but %s is "%s". The LMS never changes the '
            "address of an existing user this way: set %s to \"%s\", or change the address on the "
            "LMS first (Django admin). Nothing was changed."
            % (username, have["email"], label(where, "email"), email, label(where, "email"), have["email"])
        )
    if want["state"] == "absent":
        if have is None:
            return _plan(want, "none", [], None, None)
        return _plan(want, "delete", ["state"], have, None)
    if have is None:
        if not email:
            raise ProvisionError(
                'User "%s" does not exist yet, and creating it needs an e-mail address: set %s.'
                % (username, label(where, "email"))
            )
        after = {
            "username": username,
            "email": email,
            "is_staff": bool(want.get("staff")),
            "is_superuser": bool(want.get("superuser")),
            "is_active": True,
            "groups": sorted(set(want.get("groups") or [])),
            "has_usable_password": True,
        }
        return _plan(want, "create", ["state"], None, after)
    after = dict(have)
    changes = []
    for prop, option in (("is_staff", "staff"), ("is_superuser", "superuser")):
        if want.get(option) is not None and bool(want[option]) != have[prop]:
            after[prop] = bool(want[option])
            changes.append(prop)
    if want.get("groups") is not None and sorted(set(want["groups"])) != have["groups"]:
        after["groups"] = sorted(set(want["groups"]))
        changes.append("groups")
    if want.get("password") and want.get("update_password") == "always" and not password_matches:
        after["has_usable_password"] = True
        changes.append("password")
    return _plan(want, "update" if changes else "none", changes, have, after)


def _plan(want, action, changes, before, after):
    return {
        "key": 'user "%s"' % want["username"],
        "username": want["username"],
        "action": action,
        "changes": changes,
        "before": before,
        "after": after,
        "want": want,
    }


def manage_user_args(plan, password_hash=None):
    """The argv for `manage_user` that leaves the user exactly as planned."""
    after = plan["after"]
    if plan["action"] == "delete":
        return [plan["username"], plan["before"]["email"], "--remove"]
    args = [plan["username"], after["email"]]
    if after["is_staff"]:
        args.append("--staff")
    if after["is_superuser"]:
        args.append("--superuser")
    if password_hash:
        args += ["--initial-password-hash", password_hash]
    if after["groups"]:
        args += ["--groups"] + list(after["groups"])
    return args


def public_plan(plan):
    """What the module gets back about a user: never the password."""
    return {key: plan[key] for key in ("username", "action", "changes", "before", "after")}


def read_user(username):
    """The user's state as the module reports it, or None when it does not exist."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return None
    return {
        "username": user.username,
        "email": user.email,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "is_active": user.is_active,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "has_usable_password": user.has_usable_password(),
    }


def password_matches(username, password):
    """Whether `password` is the user's current one, checked with the LMS's hashers.

    Uses hashers.check_password rather than User.check_password, which may re-hash and save the
    user (a write, even in check mode).
    """
    if not password:
        return True
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password

    user = get_user_model().objects.filter(username=username).first()
    return user is not None and check_password(password, user.password)


def check_groups_exist(plans):
    """Fail before any change when a requested group is missing (manage_user would skip it silently)."""
    from django.contrib.auth.models import Group

    wanted = {}
    for plan in plans:
        if plan["after"] and plan["want"].get("groups"):
            for name in plan["want"]["groups"]:
                wanted.setdefault(name, label(plan["want"]["where"], "groups"))
    if not wanted:
        return
    found = set(Group.objects.filter(name__in=list(wanted)).values_list("name", flat=True))
    missing = sorted(set(wanted) - found)
    if missing:
        raise ProvisionError(
            "Groups not found on the LMS: %s (%s). Create them first (Django admin, Groups) or "
            "remove them from the list. Nothing was changed."
            % (", ".join('"%s"' % name for name in missing),
               ", ".join(sorted({wanted[name] for name in missing})))
        )


def apply_user(plan):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    want, changes = plan["want"], plan["changes"]
    if plan["action"] in ("create", "delete") or set(changes) - {"password"}:
        password_hash = None
        if plan["action"] == "create" and want.get("password"):
            password_hash = make_password(want["password"])
        call_command("manage_user", *manage_user_args(plan, password_hash))
    if plan["action"] == "update" and "password" in changes:
        user = get_user_model().objects.get(username=plan["username"])
        user.set_password(want["password"])
        user.save(update_fields=["password"])


def ensure_users(request):
    """Entry point: read every user, validate and plan all of them, apply in one transaction."""
    plans = []
    for want in request["users"]:
        have = read_user(want["username"])
        matches = have is None or password_matches(want["username"], want.get("password"))
        plans.append(plan_user(want, have, matches))
    check_groups_exist(plans)
    apply_all(plans, apply_user, lambda plan: read_user(plan["username"]), request["check_mode"])
    return {"users": [public_plan(plan) for plan in plans]}


ENTRY_POINTS["ensure_users"] = ensure_users
