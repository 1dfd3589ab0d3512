# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs inside the LMS: ensure service users through edx's own `manage_user` command.

`manage_user`'s flags are absolute (leaving out --staff demotes, leaving out -g strips groups), so
each call passes the user's final flags: the requested ones, and the current ones where the task
left an option out. Passwords: `--initial-password-hash` on creation (hashed here, with the LMS's
own hasher), `set_password` afterwards, and only when the password differs. `is_active`, which
manage_user does not manage, is set through the ORM. Removing a user that owns OAuth2 clients is
refused unless the task allows it, because the LMS deletes those clients with the user.
"""

if __name__ != "edx_provision":  # imported on the controller or by tests; in the LMS the parts are concatenated
    from .base import (
        ENTRY_POINTS,
        Conflict,
        ProvisionError,
        apply_groups,
        command,
        label,
    )


def same_email(first, second):
    """manage_user compares addresses case-insensitively; so do we."""
    return (first or "").lower() == (second or "").lower()


def plan_user(want, have, password_matches, owned_clients=()):
    """Decide what to do for one user: action, changed properties, and the state before and after.

    `want` holds the task's options (None = leave as is), `have` the LMS's current state (None when
    the user does not exist), `password_matches` whether the given password is the current one,
    `owned_clients` the client_ids of the OAuth2 clients the user owns.
    """
    where, username = want["where"], want["username"]
    email = want.get("email")
    if have is not None and email and not same_email(email, have["email"]):
        raise ProvisionError(
            'User "%s" exists on the LMS with e-mail "%s", but %s is "%s". The LMS never changes the '
            'address of an existing user this way: set %s to "%s", or change the address on the '
            "LMS first (Django admin). Nothing was changed."
            % (username, have["email"], label(where, "email"), email, label(where, "email"), have["email"])
        )
    if want["state"] == "absent":
        if have is None:
            return _user_plan(want, "none", [], None, None)
        if owned_clients and not want.get("remove_owned_clients"):
            raise ProvisionError(
                'User "%s" owns OAuth2 clients (%s); removing the user would delete them too. Remove '
                "or move those clients first, or set %s: true to delete them with the user. Nothing "
                "was changed."
                % (
                    username,
                    ", ".join('"%s"' % client_id for client_id in owned_clients),
                    label(where, "remove_owned_clients"),
                )
            )
        plan = _user_plan(want, "delete", ["state"], have, None)
        plan["removed_clients"] = list(owned_clients)
        return plan
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
            "is_active": want.get("active") is not False,
            "groups": sorted(set(want.get("groups") or [])),
            "has_usable_password": True,
        }
        return _user_plan(want, "create", ["state"], None, after)
    after = dict(have)
    changes = []
    for prop, option in (("is_staff", "staff"), ("is_superuser", "superuser"), ("is_active", "active")):
        if want.get(option) is not None and bool(want[option]) != have[prop]:
            after[prop] = bool(want[option])
            changes.append(prop)
    if want.get("groups") is not None and sorted(set(want["groups"])) != have["groups"]:
        after["groups"] = sorted(set(want["groups"]))
        changes.append("groups")
    if want.get("password") and want.get("update_password") == "always" and not password_matches:
        after["has_usable_password"] = True
        changes.append("password")
    return _user_plan(want, "update" if changes else "none", changes, have, after)


def _user_plan(want, action, changes, before, after):
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
    """(positionals, options) for `manage_user` that leave the user exactly as planned."""
    after = plan["after"]
    if plan["action"] == "delete":
        return [plan["username"], plan["before"]["email"]], {"is_remove": True}
    options = {"is_staff": after["is_staff"], "is_superuser": after["is_superuser"], "groups": list(after["groups"])}
    if password_hash:
        options["initial_password_hash"] = password_hash
    return [plan["username"], after["email"]], options


def public_user_plan(plan):
    """What the module gets back about a user: never the password."""
    entry = {key: plan[key] for key in ("username", "action", "changes", "before", "after")}
    if "removed_clients" in plan:
        entry["removed_clients"] = plan["removed_clients"]
    return entry


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


def client_models():
    """(back end, model) of the OAuth2 client models this LMS has: django-oauth-toolkit's ("dot"), and
    django-oauth2-provider's ("dop") on Ginkgo. Both delete a user's clients with the user (CASCADE)."""
    from django.apps import apps

    models = []
    try:
        from oauth2_provider.models import get_application_model

        models.append(("dot", get_application_model()))
    except ImportError:
        pass
    if apps.is_installed("provider.oauth2"):
        models.append(("dop", apps.get_model("oauth2", "Client")))
    return models


def owned_client_ids(username, removed_clients=()):
    """client_ids of the OAuth2 clients (both back ends) the user owns, which the LMS deletes with it;
    without the (back end, client_id) pairs the same call removes itself."""
    ids = set()
    for backend, model in client_models():
        held = model.objects.filter(user__username=username).values_list("client_id", flat=True)
        ids.update(client_id for client_id in held if (backend, client_id) not in removed_clients)
    return sorted(ids)


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
            % (", ".join('"%s"' % name for name in missing), ", ".join(sorted({wanted[name] for name in missing})))
        )


def check_emails_free(plans):
    """Fail before any change when a new user's e-mail belongs to another user (the LMS logs in by e-mail)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    for plan in plans:
        if plan["action"] != "create":
            continue
        other = users.filter(email__iexact=plan["after"]["email"]).exclude(username=plan["username"]).first()
        if other is not None:
            raise ProvisionError(
                'The e-mail "%s" (%s) already belongs to user "%s" on the LMS; two accounts with one '
                'address cannot both sign in. Give user "%s" its own address. Nothing was changed.'
                % (plan["after"]["email"], label(plan["want"]["where"], "email"), other.username, plan["username"])
            )


def apply_user(plan):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    want, changes = plan["want"], plan["changes"]
    if plan["action"] == "create" and read_user(plan["username"]) is not None:
        raise Conflict('user "%s" was created by another run' % plan["username"])
    if plan["action"] == "delete" and plan["removed_clients"]:
        for _backend, model in client_models():
            model.objects.filter(user__username=plan["username"], client_id__in=plan["removed_clients"]).delete()
    if plan["action"] in ("create", "delete") or set(changes) - {"password", "is_active"}:
        password_hash = None
        if plan["action"] == "create" and want.get("password"):
            password_hash = make_password(want["password"])
        positionals, options = manage_user_args(plan, password_hash)
        command("manage_user", positionals, options)
    if plan["action"] == "delete":
        return
    user = get_user_model().objects.get(username=plan["username"])
    if "password" in changes:
        user.set_password(want["password"])
        user.save(update_fields=["password"])
    if user.is_active != plan["after"]["is_active"]:
        user.is_active = plan["after"]["is_active"]
        user.save(update_fields=["is_active"])


def plan_users(wants, removed_clients=()):
    """Read every requested user, then plan all of them; fails before anything changes.

    `removed_clients`: (back end, client_id) of the clients the same call removes, which a user it removes
    no longer owns by then. A copy in the other back end (a twin made by hand on Ginkgo) still counts.
    """
    plans = []
    for want in wants:
        have = read_user(want["username"])
        matches = have is None or password_matches(want["username"], want.get("password"))
        owned = []
        if have is not None and want["state"] == "absent":
            owned = owned_client_ids(want["username"], removed_clients)
        plans.append(plan_user(want, have, matches, owned))
    check_groups_exist(plans)
    check_emails_free(plans)
    return plans


def user_group(plans):
    """What apply_groups needs to apply and verify these plans."""
    return (plans, apply_user, lambda plan: read_user(plan["username"]), removed_user)


def removed_user(plan):
    """The user a delete plan removes (check mode reads what the LMS would delete with it)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=plan["username"])


def ensure_users(request):
    """Entry point of edx_user: plan every user, apply all of them, re-read."""
    plans = plan_users(request["users"])
    apply_groups([user_group(plans)], request["check_mode"])
    return {"users": [public_user_plan(plan) for plan in plans]}


ENTRY_POINTS["ensure_users"] = ensure_users
