# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs inside the LMS: ensure django-oauth2-provider (DOP) clients through `create_oauth2_client` (Ginkgo).

Ginkgo keeps OAuth2 clients in DOP; its command upserts by client_id and prints the client, its
secret and the owner's whole row (password hash included) on stdout, so that output is thrown
away inside the LMS and the client is re-read from the ORM instead. The same identity rules as for
django-oauth-toolkit clients hold (clients.plan_identity): no takeover without
allow_owner_change, no re-keying, `absent` only on a full identity match. Every option the client
has is passed on every run (an omitted -t would drop trusted status). A DOP client has one redirect
URI and no scopes or grant type (DOP allows every grant); redirect_uris [] leaves its URI as it is
(a new client gets the LMS's root URL, which DOP requires). Secrets are stored in clear by DOP and
compared in constant time; they are never read back into results.

The back end is chosen here, inside the one LMS process: `auto` is django-oauth-toolkit when
`create_dot_application` exists (Hawthorn and later), else DOP when its app is installed. On an LMS
with both, a client_id lives in one of them: the token endpoint sends it to DOT when DOT has it, so a
task never creates a client_id the other back end holds (it would shadow or be shadowed), never
reports one absent that the other back end still serves, and manages a client_id both hold only by
deleting one of the two.
"""

import re
import sys

if __name__ != "edx_provision":  # imported on the controller or by tests; in the LMS the parts are concatenated
    from .base import ENTRY_POINTS, Conflict, ProvisionError, apply_groups, label
    from .clients import (
        _client_plan,
        application_model,
        client_group,
        find_clients,
        plan_clients,
        plan_identity,
        public_client_plan,
        updated,
        validate,
    )

DOP_APP = "provider.oauth2"
DOP_COMMAND = "create_oauth2_client"
DOP_COMPARED = ("name", "owner", "client_type", "skip_authorization")
DOP_TYPES = {0: "confidential", 1: "public"}
WEB_URL = re.compile(r"https?://[^\s]+\Z")


def oauth_backend(requested):
    """`dot` or `dop` for this LMS: as requested, or (auto) by the commands and apps it has."""
    from django.apps import apps
    from django.core import management

    dop = apps.is_installed(DOP_APP)
    if requested == "dop" and not dop:
        raise ProvisionError(
            "backend is dop, but this LMS has no django-oauth2-provider (%s is not installed): set "
            "backend to dot or auto." % DOP_APP
        )
    if requested in ("dot", "dop"):
        return requested
    commands = management.get_commands()
    if "create_dot_application" not in commands and dop and DOP_COMMAND in commands:
        return "dop"
    return "dot"


def dop_models():
    from edx_oauth2_provider.models import TrustedClient
    from provider.oauth2.models import Client

    return Client, TrustedClient


def dop_client_exists(client_id):
    """Whether this LMS has django-oauth2-provider and a client of it with this client_id."""
    from django.apps import apps

    return apps.is_installed(DOP_APP) and dop_models()[0].objects.filter(client_id=client_id).exists()


def dop_state(client):
    trusted = dop_models()[1]
    return {
        "client_id": client.client_id,
        "name": client.name,
        "owner": client.user.username if client.user_id else None,
        "client_type": DOP_TYPES.get(client.client_type, str(client.client_type)),
        "redirect_uris": [client.redirect_uri],
        "skip_authorization": trusted.objects.filter(client=client).exists(),
        "backend": "dop",
    }


def check_dop_want(want):
    """What a DOP client cannot hold, refused by the option's name before anything is read."""
    where = want["where"]
    if want.get("scopes"):
        raise ProvisionError(
            "%s: this LMS keeps OAuth2 clients in django-oauth2-provider, whose clients have no scopes. "
            "Leave %s out (or set backend: dot for a django-oauth-toolkit client)."
            % (label(where, "scopes"), label(where, "scopes"))
        )
    uris = want.get("redirect_uris") or []
    if len(uris) > 1:
        raise ProvisionError(
            "%s holds %d URIs, but a django-oauth2-provider client has one redirect URI: give one."
            % (label(where, "redirect_uris"), len(uris))
        )
    for uri in uris:
        if not WEB_URL.match(uri):
            raise ProvisionError(
                "%s holds %s: create_oauth2_client takes an http:// or https:// URL."
                % (label(where, "redirect_uris"), uri)
            )


def plan_dop_client(want, have, secret_ok, new_client_id, by_name, default_uri):
    """Decide what to do for one DOP client (same shape of plan as a django-oauth-toolkit client)."""
    check_dop_want(want)
    uris = want.get("redirect_uris") or None
    settled = plan_identity(want, have, by_name)
    if settled is not None:
        return settled
    if have is None:
        after = {
            "client_id": want.get("client_id") or new_client_id,
            "name": want["name"],
            "owner": want["owner"],
            "client_type": want.get("client_type") or "confidential",
            "redirect_uris": uris or [default_uri],
            "skip_authorization": bool(want.get("skip_authorization")),
            "backend": "dop",
        }
        return _client_plan(want, "create", ["state"], None, after)
    after, changes = updated(want, have, DOP_COMPARED)
    if uris is not None and uris != have["redirect_uris"]:
        after["redirect_uris"] = list(uris)
        changes.append("redirect_uris")
    if want.get("client_secret") and not secret_ok:
        changes.append("client_secret")
    return _client_plan(want, "update" if changes else "none", changes, have, after)


def dop_secret_matches(given, stored):
    """DOP stores secrets in clear: compare in constant time, never echo either."""
    from django.utils.crypto import constant_time_compare

    return not given or constant_time_compare(given, stored)


def refuse_basic_unreadable(want):
    """A DOP client's client_id and secret travel in the token request's HTTP Basic header, which DOP reads
    undecoded (split at every `:`): with %, + or : in them the client could never get a token."""
    if want["state"] != "present":
        return
    for option in ("client_id", "client_secret"):
        value = want.get(option) or ""
        if any(char in value for char in "%+:"):
            raise ProvisionError(
                "%s holds %%, + or :, which django-oauth2-provider cannot read from the HTTP Basic header that "
                "the token request uses, so this client could never get a token. Choose one without them (for "
                "example `openssl rand -hex 32`). Nothing was changed." % label(want["where"], option)
            )


def plan_dop_clients(wants, check_mode, pending_owners=()):
    """Read every requested DOP client, then plan and validate all of them; returns (plans, warnings)."""
    from django.conf import settings
    from provider.utils import long_token, short_token

    default_uri = getattr(settings, "LMS_ROOT_URL", None) or "http://localhost"
    plans = []
    for want in wants:
        refuse_basic_unreadable(want)
        client, other = find_clients(dop_models()[0], want)
        have = dop_state(client) if client is not None else None
        matches = client is None or dop_secret_matches(want.get("client_secret"), client.client_secret)
        new_id = None if check_mode else short_token()
        plan = plan_dop_client(
            want, have, matches, new_id, dop_state(other) if other is not None else None, default_uri
        )
        plan["pk"] = client.pk if client is not None else None
        plan["dop_url"] = client.url if client is not None else default_uri
        plans.append(plan)
    warnings = validate(plans, check_mode, pending_owners)
    for plan in plans:
        generate = plan["action"] == "create" and not check_mode and not plan["want"].get("client_secret")
        plan["generated_secret"] = long_token() if generate else None
    return plans, warnings


class DiscardedOutput(object):
    """Where create_oauth2_client's stdout goes: it holds the secret and the owner's password hash."""

    def write(self, text):
        return None

    def flush(self):
        return None

    def isatty(self):
        return False


def run_dop_command(plan, secret):
    """create_oauth2_client with every option of the planned client; its output never leaves the LMS.

    The positionals are http(s) URLs and a fixed client type, so neither optparse (edx-oauth2-provider
    1.2.0) nor argparse (1.2.2) can read one as an option; values go as keyword arguments.
    """
    from django.core.management import call_command

    after = plan["after"]
    positionals = [plan["dop_url"], after["redirect_uris"][0], after["client_type"]]
    for uri in positionals[:2]:
        if not WEB_URL.match(uri):
            raise ProvisionError(
                "%s has the URL %s, which create_oauth2_client refuses. Nothing was changed." % (plan["key"], uri)
            )
    options = {
        "username": after["owner"],
        "client_name": after["name"],
        "client_id": after["client_id"],
        "trusted": after["skip_authorization"],
    }
    if secret:
        options["client_secret"] = secret
    saved = sys.stdout
    sys.stdout = DiscardedOutput()
    try:
        call_command(DOP_COMMAND, *positionals, stdout=DiscardedOutput(), **options)
    finally:
        sys.stdout = saved


def apply_dop_client(plan):
    model = dop_models()[0]
    want, after = plan["want"], plan["after"]
    if plan["action"] == "delete":
        model.objects.get(pk=plan["pk"]).delete()
        return
    if plan["action"] == "create" and model.objects.filter(client_id=after["client_id"]).exists():
        raise Conflict('client_id "%s" was created by another run' % after["client_id"])
    new_secret = plan["generated_secret"] or (
        want.get("client_secret") if plan["action"] == "create" or "client_secret" in plan["changes"] else None
    )
    run_dop_command(plan, new_secret)
    final_secret = plan["generated_secret"] or want.get("client_secret")
    stored = model.objects.get(client_id=after["client_id"]).client_secret
    if final_secret and not dop_secret_matches(final_secret, stored):
        raise ProvisionError(
            "The LMS did not store the client secret of %s as requested. Nothing was changed." % plan["key"]
        )


def reread_dop(plan):
    model = dop_models()[0]
    client = model.objects.filter(client_id=(plan["after"] or plan["before"])["client_id"]).order_by("pk").first()
    return dop_state(client) if client is not None else None


def oauth_clients(wants, check_mode, backend, pending_owners=()):
    """(plans, warnings, group) for the clients on the back end this LMS uses (see oauth_backend)."""
    backend = oauth_backend(backend)
    if backend == "dop":
        plans, warnings = plan_dop_clients(wants, check_mode, pending_owners)
        group = (plans, apply_dop_client, reread_dop, lambda plan: dop_models()[0].objects.get(pk=plan["pk"]))
    else:
        plans, warnings = plan_clients(wants, check_mode, pending_owners)
        group = client_group(plans)
    refuse_other_backends_clients(plans, backend)
    return plans, warnings, group


BACKEND_NAMES = {"dot": "django-oauth-toolkit (dot)", "dop": "django-oauth2-provider (dop)"}


def refuse_other_backends_clients(plans, backend):
    """Fail a plan whose client_id the other back end of a two-back-end LMS (Ginkgo) holds, unless it
    deletes this back end's copy of a client_id both hold (which is how such a twin is resolved)."""
    from django.apps import apps

    if not apps.is_installed(DOP_APP):
        return
    checked = [plan for plan in plans if plan["want"].get("client_id") and plan["action"] != "delete"]
    other = "dot" if backend == "dop" else "dop"
    model = application_model() if other == "dot" else dop_models()[0]
    found = model.objects.filter(client_id__in=[plan["want"]["client_id"] for plan in checked])
    held = set(found.values_list("client_id", flat=True))
    for plan in checked:
        want = plan["want"]
        if want["client_id"] not in held:
            continue
        if plan["before"] is None:
            raise ProvisionError(
                'client_id "%s" (%s) is a %s client on this LMS, and this task manages %s clients. The token '
                "endpoint sends a client_id to django-oauth-toolkit whenever it holds it, so one client_id must "
                "live in one back end: set backend to %s to manage that client. Nothing was changed."
                % (
                    want["client_id"],
                    label(want["where"], "client_id"),
                    BACKEND_NAMES[other],
                    BACKEND_NAMES[backend],
                    other,
                )
            )
        raise ProvisionError(
            'client_id "%s" (%s) is held by both back ends of this LMS, a %s client and a %s client, and the '
            "token endpoint serves only the django-oauth-toolkit one. Remove the one you do not want (state: "
            "absent, with backend set to its back end), then run again. Nothing was changed."
            % (want["client_id"], label(want["where"], "client_id"), BACKEND_NAMES["dot"], BACKEND_NAMES["dop"])
        )


def ensure_oauth_clients(request):
    """Entry point of edx_oauth_client: the clients on DOP or django-oauth-toolkit, applied, re-read."""
    check_mode = request["check_mode"]
    plans, warnings, group = oauth_clients(request["clients"], check_mode, request.get("backend", "auto"))
    apply_groups([group], check_mode)
    return {"clients": [public_client_plan(plan, plan["generated_secret"]) for plan in plans], "warnings": warnings}


ENTRY_POINTS["ensure_oauth_clients"] = ensure_oauth_clients
