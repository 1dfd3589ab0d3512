# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs inside the LMS: ensure django-oauth-toolkit applications through `create_dot_application`.

Clients are keyed on client_id when given, else on (owner, name), which is the command's own key.
Both identities are checked when both are given: a client is never moved to another owner unless the
task allows it (`allow_owner_change`), never re-keyed to another client_id, and `state: absent`
deletes only a client that matches every identity given. Grant types are spelled as in OAuth2
(client_credentials) and translated to django-oauth-toolkit's spelling (client-credentials) for the
command. Creation and updates go through the command with every option passed (with --update,
options left out would reset to defaults). What the command cannot express is done through the ORM
in the same transaction: a new owner or name for an existing client_id, scopes emptied (the access
row and its filters stay), and removal. An LMS without the command (Ginkgo, whose DOT applications
were made in Django admin) gets what the admin does: the model validated (full_clean) and saved;
it has no per-application scopes (ApplicationAccess came with the command, in Hawthorn). Secrets
are compared with the LMS's hashers when stored hashed (django-oauth-toolkit 2+), in constant time
when stored in clear (1.x); they are never read back into results.
"""

if __name__ != "edx_provision":  # imported on the controller or by tests; in the LMS the parts are concatenated
    from .base import (
        Conflict,
        ProvisionError,
        command,
        label,
        muted_logger,
    )

COMMAND_LOGGER = "openedx.core.djangoapps.oauth_dispatch.management.commands.create_dot_application"
DEFAULTS = {
    "client_type": "confidential",
    "grant_type": "client_credentials",
    "redirect_uris": [],
    "skip_authorization": False,
    "scopes": [],
}
COMPARED = ("name", "owner", "client_id", "client_type", "grant_type", "redirect_uris", "skip_authorization")
NEEDS_REDIRECT = ("authorization_code", "implicit")


def dot_grant(grant_type):
    """django-oauth-toolkit spells grant types with hyphens (client-credentials); OAuth2 with underscores."""
    return grant_type.replace("_", "-")


def describe(state):
    return 'OAuth2 client "%s" (client_id "%s", owner "%s")' % (state["name"], state["client_id"], state["owner"])


def check_identity(want, have, by_name):
    """Refuse a plan that would touch a client the task did not clearly name.

    `have` is the client found by client_id (or by owner and name when no client_id is given);
    `by_name` the client that owner and name match, when client_id found another or none.
    """
    where = want["where"]
    if have is None:
        if by_name is not None and want["state"] == "present":
            raise ProvisionError(
                '%s exists, so %s "%s" would re-key it. edx-provision never changes the client_id of a '
                'client: set %s to "%s", or remove that client first (state: absent, client_id: "%s"). '
                "Nothing was changed."
                % (
                    describe(by_name),
                    label(where, "client_id"),
                    want["client_id"],
                    label(where, "client_id"),
                    by_name["client_id"],
                    by_name["client_id"],
                )
            )
        return
    if by_name is not None and by_name["client_id"] != have["client_id"]:
        raise ProvisionError(
            '%s names %s, but owner "%s" and name "%s" name another one, %s. Give the identity of one '
            "client. Nothing was changed."
            % (label(where, "client_id"), describe(have), want["owner"], want["name"], describe(by_name))
        )
    if want["state"] == "absent":
        mismatched = [option for option in ("owner", "name") if want.get(option) and want[option] != have[option]]
        if mismatched:
            raise ProvisionError(
                "%s matches %s, but not its %s as given (%s). state: absent deletes only a client that "
                "matches every identity given. Nothing was changed."
                % (
                    label(where, "client_id"),
                    describe(have),
                    " and ".join(mismatched),
                    ", ".join('%s "%s"' % (label(where, option), want[option]) for option in mismatched),
                )
            )
        return
    if want.get("owner") and want["owner"] != have["owner"] and not want.get("allow_owner_change"):
        raise ProvisionError(
            '%s belongs to "%s", not to %s "%s". edx-provision does not take over another owner\'s '
            'client: fix %s (or %s), or set %s: true to move it to "%s". Nothing was changed.'
            % (
                describe(have),
                have["owner"],
                label(where, "owner"),
                want["owner"],
                label(where, "client_id"),
                label(where, "owner"),
                label(where, "allow_owner_change"),
                want["owner"],
            )
        )


def plan_identity(want, have, by_name):
    """What every back end decides the same way: the identity checks, removal, and whether a missing
    client can be created. Returns the plan when that settles it, else None (create or update)."""
    check_identity(want, have, by_name)
    if want["state"] == "absent":
        if have is None:
            return _client_plan(want, "none", [], None, None)
        return _client_plan(want, "delete", ["state"], have, None)
    if have is None:
        missing = [option for option in ("name", "owner") if not want.get(option)]
        if missing:
            raise ProvisionError(
                "No OAuth2 client %s exists on the LMS, and creating one needs %s."
                % (
                    'with client_id "%s"' % want["client_id"] if want.get("client_id") else "matches",
                    " and ".join(label(want["where"], option) for option in missing),
                )
            )
    return None


def plan_client(want, have, secret_matches, new_client_id=None, by_name=None):
    """Decide what to do for one client: action, changed properties, states before and after.

    `want` holds the task's options (None = leave as is); `have` the client's current state (None
    when it does not exist); `secret_matches` whether the requested secret is the stored one;
    `new_client_id` the id a created client gets when the task gives none; `by_name` the client
    that owner and name match when it is not `have` (see check_identity).
    """
    settled = plan_identity(want, have, by_name)
    if settled is not None:
        return settled
    if have is None:
        after = {"name": want["name"], "owner": want["owner"], "client_id": want.get("client_id") or new_client_id}
        for prop, default in DEFAULTS.items():
            after[prop] = want[prop] if want.get(prop) is not None else default
        after["filters"] = []
        _check_redirects(want, after)
        return _client_plan(want, "create", ["state"], None, after)
    after, changes = updated(want, have, COMPARED)
    if want.get("scopes") is not None and set(want["scopes"]) != set(have["scopes"]):
        after["scopes"] = list(want["scopes"])
        changes.append("scopes")
    if want.get("client_secret") and not secret_matches:
        changes.append("client_secret")
    _check_redirects(want, after)
    return _client_plan(want, "update" if changes else "none", changes, have, after)


def updated(want, have, compared):
    """(after, changes): `have` with the `compared` properties `want` sets to other values, and their names."""
    after = dict(have)
    changes = [prop for prop in compared if want.get(prop) is not None and want[prop] != have[prop]]
    for prop in changes:
        after[prop] = want[prop]
    return after, changes


def _check_redirects(want, after):
    if after["grant_type"] in NEEDS_REDIRECT and not after["redirect_uris"]:
        raise ProvisionError(
            'Client "%s": grant type %s sends users back to a redirect URI, and none is set: give %s.'
            % (after["name"], after["grant_type"], label(want["where"], "redirect_uris"))
        )


def _client_plan(want, action, changes, before, after):
    state = after or before
    return {
        "key": 'OAuth2 client "%s"' % (state["name"] if state else want.get("name") or want.get("client_id")),
        "name": state["name"] if state else want.get("name"),
        "client_id": state["client_id"] if state else want.get("client_id"),
        "action": action,
        "changes": changes,
        "before": before,
        "after": after,
        "want": want,
    }


def command_args(plan, secret=None):
    """(positionals, options) for `create_dot_application` that leave the client as planned.

    Every option is given, since with --update the command resets options left out to defaults.
    """
    after = plan["after"]
    options = {
        "grant_type": dot_grant(after["grant_type"]),
        "redirect_uris": " ".join(after["redirect_uris"]),
        "client_id": after["client_id"],
        "public": after["client_type"] == "public",
        "skip_authorization": after["skip_authorization"],
        "update": plan["action"] == "update",
    }
    if secret:
        options["client_secret"] = secret
    if after["scopes"]:
        options["scopes"] = ",".join(after["scopes"])
    return [after["name"], after["owner"]], options


def public_client_plan(plan, generated_secret=None):
    """What the module gets back about a client: a secret only when generated and asked for."""
    entry = {key: plan[key] for key in ("name", "client_id", "action", "changes", "before", "after")}
    if plan["want"].get("return_secret"):
        entry["client_secret"] = generated_secret
    return entry


def application_model():
    from oauth2_provider.models import get_application_model

    return get_application_model()


def access_model():
    """edx's ApplicationAccess (the scopes an application may ask for), or None on other LMSes."""
    try:
        from openedx.core.djangoapps.oauth_dispatch.models import ApplicationAccess
    except ImportError:
        return None
    return ApplicationAccess


def client_state(app):
    access = access_model()
    scopes, filters = [], []
    if access is not None:
        row = access.objects.filter(application=app).first()
        if row is not None:
            scopes, filters = list(row.scopes or []), list(row.filters or [])
    return {
        "client_id": app.client_id,
        "name": app.name,
        "owner": app.user.username if app.user_id else None,
        "client_type": app.client_type,
        "grant_type": app.authorization_grant_type.replace("-", "_"),
        "redirect_uris": app.redirect_uris.split(),
        "skip_authorization": app.skip_authorization,
        "scopes": scopes,
        "filters": filters,
    }


def find_clients(model, want):
    """The client of `model` (DOT's Application, DOP's Client) named by client_id (else by owner and
    name), and the one owner and name match when that is another."""
    by_id = model.objects.filter(client_id=want["client_id"]).order_by("pk").first() if want.get("client_id") else None
    by_name = None
    if want.get("owner") and want.get("name"):
        found = list(model.objects.filter(user__username=want["owner"], name=want["name"]))
        if len(found) > 1:
            raise ProvisionError(
                'Several OAuth2 clients named "%s" belong to "%s" on the LMS: set %s to pick one.'
                % (want["name"], want["owner"], label(want["where"], "client_id"))
            )
        by_name = found[0] if found else None
    if not want.get("client_id"):
        return by_name, None
    return by_id, (by_name if by_name is not None and by_name != by_id else None)


def secret_matches(given, stored):
    """Whether `given` is the stored client secret, hashed (DOT 2+) or in clear (DOT 1.x)."""
    if not given:
        return True
    from django.contrib.auth.hashers import check_password, identify_hasher
    from django.utils.crypto import constant_time_compare

    try:
        identify_hasher(stored)
    except ValueError:
        return constant_time_compare(given, stored)
    return check_password(given, stored)


def allowed_redirect_schemes():
    """The URI schemes the LMS's django-oauth-toolkit accepts for redirect URIs (http, https by default)."""
    try:
        from oauth2_provider.settings import oauth2_settings

        return [scheme.lower() for scheme in oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES]
    except (ImportError, AttributeError):
        return ["http", "https"]


def validate(plans, check_mode, pending_owners=()):
    """Checks that need the LMS, run for every client before anything changes; returns warnings.

    `pending_owners` are users this same call creates before the clients. In check mode a missing
    owner is a warning: an earlier task of the same run (edx_user) would have created it.
    """
    from django.conf import settings
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    allowed = set(getattr(settings, "OAUTH2_PROVIDER", {}).get("SCOPES", {}))
    schemes = allowed_redirect_schemes()
    warnings = []
    for plan in plans:
        want, after = plan["want"], plan["after"]
        if after is None:
            continue
        owner_set = "owner" in plan["changes"] or plan["action"] == "create"
        owner_missing = after["owner"] not in pending_owners and not users.filter(username=after["owner"]).exists()
        if owner_set and owner_missing:
            if not check_mode:
                raise ProvisionError(
                    'The owner "%s" (%s) does not exist on the LMS: create it first (edx_user). '
                    "Nothing was changed." % (after["owner"], label(want["where"], "owner"))
                )
            warnings.append(
                'Check mode: the owner "%s" of %s does not exist on the LMS yet; a real run needs it '
                "created first (edx_user earlier in the play)." % (after["owner"], plan["key"])
            )
        for uri in want.get("redirect_uris") or []:
            if uri.split(":", 1)[0].lower() not in schemes:
                raise ProvisionError(
                    "%s holds %s, whose scheme this LMS does not allow for redirect URIs (allowed: %s). "
                    "Nothing was changed." % (label(want["where"], "redirect_uris"), uri, ", ".join(schemes))
                )
        if want.get("scopes"):
            if access_model() is None or not dot_command_available():
                raise ProvisionError(
                    "%s cannot be set on this LMS: edx keeps an application's scopes in ApplicationAccess, "
                    "which came with Hawthorn (as did create_dot_application), and this LMS is older. "
                    "Leave it out. Nothing was changed." % label(want["where"], "scopes")
                )
            unknown = sorted(set(want["scopes"]) - allowed) if allowed else []
            if unknown:
                raise ProvisionError(
                    "%s holds scopes the LMS does not know: %s. Known scopes: %s."
                    % (label(want["where"], "scopes"), ", ".join(unknown), ", ".join(sorted(allowed)))
                )
    return warnings


def plan_clients(wants, check_mode, pending_owners=()):
    """Read every requested client, then plan and validate all of them; returns (plans, warnings)."""
    from oauth2_provider.generators import generate_client_id, generate_client_secret

    plans = []
    for want in wants:
        app, other = find_clients(application_model(), want)
        have = client_state(app) if app is not None else None
        matches = app is None or secret_matches(want.get("client_secret"), app.client_secret)
        new_id = None if check_mode else generate_client_id()
        plan = plan_client(want, have, matches, new_id, client_state(other) if other is not None else None)
        plan["pk"] = app.pk if app is not None else None
        plans.append(plan)
    warnings = validate(plans, check_mode, pending_owners)
    check_applications_as_django_admin(plans)
    for plan in plans:
        generate = plan["action"] == "create" and not check_mode and not plan["want"].get("client_secret")
        plan["generated_secret"] = generate_client_secret() if generate else None
    return plans, warnings


def client_group(plans):
    """What apply_groups needs to apply and verify these plans."""
    return (plans, apply_client, reread, lambda plan: application_model().objects.get(pk=plan["pk"]))


def dot_command_available():
    """Whether the LMS has create_dot_application (Hawthorn and later); Ginkgo has DOT without it."""
    from django.core.management import get_commands

    return "create_dot_application" in get_commands()


def apply_client(plan):
    model = application_model()
    want, changes = plan["want"], set(plan["changes"])
    if plan["action"] == "delete":
        model.objects.get(pk=plan["pk"]).delete()
        return
    if plan["action"] == "create" and model.objects.filter(client_id=plan["after"]["client_id"]).exists():
        raise Conflict('client_id "%s" was created by another run' % plan["after"]["client_id"])
    new_secret = plan["generated_secret"] or (
        want.get("client_secret") if "client_secret" in changes or plan["action"] == "create" else None
    )
    if dot_command_available():
        apply_through_command(plan, new_secret)
    else:
        save_application(plan, new_secret)
    final_secret = plan["generated_secret"] or want.get("client_secret")
    if final_secret:
        stored = model.objects.get(client_id=plan["after"]["client_id"]).client_secret
        if not secret_matches(final_secret, stored):
            raise ProvisionError(
                "The LMS did not store the client secret of %s as requested. Nothing was changed." % plan["key"]
            )


def apply_through_command(plan, secret):
    """create_dot_application with every option; the ORM for what the command cannot express."""
    from django.contrib.auth import get_user_model

    access, after, changes = access_model(), plan["after"], set(plan["changes"])
    if plan["action"] == "update" and changes & {"owner", "name"}:
        app = application_model().objects.get(pk=plan["pk"])
        app.user = get_user_model().objects.get(username=after["owner"])
        app.name = after["name"]
        app.save()
    if plan["action"] == "create" or changes - {"owner", "name"}:
        positionals, options = command_args(plan, secret)
        with muted_logger(COMMAND_LOGGER):
            command("create_dot_application", positionals, options)
    if "scopes" in changes and not after["scopes"] and access is not None:
        access.objects.filter(application__client_id=after["client_id"]).update(scopes=[])


def application_as_planned(plan, secret=None):
    """(application, owner_found): the application as the plan leaves it, not saved - a new instance
    or the stored one with every planned property set. The owner is left unset when it does not
    exist yet (check mode, with edx_user earlier in the play)."""
    from django.contrib.auth import get_user_model

    model, after = application_model(), plan["after"]
    app = model() if plan["action"] == "create" else model.objects.get(pk=plan["pk"])
    owner = get_user_model().objects.filter(username=after["owner"]).first()
    if owner is not None:
        app.user = owner
    if after["client_id"]:  # None only for a client check mode would create with a generated id
        app.client_id = after["client_id"]
    app.name = after["name"]
    app.client_type = after["client_type"]
    app.authorization_grant_type = dot_grant(after["grant_type"])
    app.redirect_uris = " ".join(after["redirect_uris"])
    app.skip_authorization = after["skip_authorization"]
    if secret:
        app.client_secret = secret
    return app, owner is not None


def check_as_django_admin(plan, app, owner_found=True):
    """The model's own validation, as Django admin's form runs it (full_clean: redirect URIs, field
    sizes, unique client_id); ProvisionError with the model's messages."""
    from django.core.exceptions import ValidationError

    refused = None
    try:
        app.full_clean(exclude=None if owner_found else ["user"])
    except ValidationError as exc:  # `raise ... from` is not Python 2.7
        refused = "; ".join(message.rstrip(".") for message in exc.messages)
    if refused:
        raise ProvisionError("The LMS refused %s: %s. Nothing was changed." % (plan["key"], refused))


def check_applications_as_django_admin(plans):
    """On an LMS without create_dot_application (Ginkgo): validate every application to create or
    update before anything changes, in check mode too, so check mode refuses what a run would."""
    if dot_command_available():
        return
    for plan in plans:
        if plan["action"] in ("create", "update"):
            check_as_django_admin(plan, *application_as_planned(plan, plan["want"].get("client_secret")))


def save_application(plan, secret):
    """On an LMS without create_dot_application (Ginkgo): what Django admin does, the application
    validated by its model and saved."""
    app, owner_found = application_as_planned(plan, secret)
    check_as_django_admin(plan, app, owner_found)
    app.save()


def reread(plan):
    app = application_model().objects.filter(client_id=(plan["after"] or plan["before"])["client_id"]).first()
    return client_state(app) if app is not None else None
