"""
create_oauth2_client URL REDIRECT_URI confidential|public [-u USERNAME] [-n CLIENT_NAME]
                     [-i CLIENT_ID] [-s CLIENT_SECRET] [-t] [--logout_uri URI]

edx-oauth2-provider's command (contract §1.4, §9), argparse generation (1.2.2):
  * upsert keyed on client_id: an existing client gets every given field overwritten,
    omitted options keep their values; without -i a new client is made every run;
  * -t creates the TrustedClient row; a run without -t deletes it;
  * URL, REDIRECT_URI and a non-empty --logout_uri must be valid URLs; CLIENT_TYPE is
    confidential or public (any case); an unknown -u user is an error; errors are
    CommandError ("CommandError: ..." on stderr, exit 1), nothing saved;
  * stdout: the client as indented JSON, client_secret and the owner's whole row (password
    hash included) among it. Treat it as secret.
"""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.db import transaction
from provider.constants import CONFIDENTIAL, PUBLIC
from provider.oauth2.models import Client

from edx_oauth2_provider.models import TrustedClient

CLIENT_TYPES = {"confidential": CONFIDENTIAL, "public": PUBLIC}


class Command(BaseCommand):
    help = "Create a new OAuth2 Client. Outputs a serialized representation of the newly-created Client."

    def add_arguments(self, parser):
        parser.add_argument("url", help="Url.")
        parser.add_argument("redirect_uri", help="Redirect URI.")
        parser.add_argument("client_type", help="Client type.")
        parser.add_argument(
            "-u", "--username", dest="username", help="Username of a user to associate with the Client."
        )
        parser.add_argument("-n", "--client_name", dest="client_name", help="String to assign as the Client name.")
        parser.add_argument("-i", "--client_id", dest="client_id", help="String to assign as the Client ID.")
        parser.add_argument(
            "-s",
            "--client_secret",
            dest="client_secret",
            help="String to assign as the Client secret. Should not be shared.",
        )
        parser.add_argument(
            "-t",
            "--trusted",
            action="store_true",
            dest="trusted",
            default=False,
            help="Designate the Client as trusted. Trusted Clients bypass the user consent "
            "form typically displayed after validating the user's credentials.",
        )
        parser.add_argument(
            "--logout_uri", dest="logout_uri", help="Client logout URI. This value will be used for single sign out."
        )

    def handle(self, *args, **options):
        fields = self._fields(options)
        trusted = options["trusted"]
        with transaction.atomic():
            client = Client.objects.filter(client_id=fields.get("client_id")).first() if "client_id" in fields else None
            if client is None:
                client = Client.objects.create(**fields)
            else:
                for name, value in fields.items():
                    setattr(client, name, value)
                client.save()
            if trusted:
                TrustedClient.objects.get_or_create(client=client)
            else:
                TrustedClient.objects.filter(client=client).delete()
        self.stdout.write(json.dumps(client.serialize(), indent=4))

    def _fields(self, options):
        for name in ("url", "redirect_uri"):
            if not _is_url(options[name]):
                raise CommandError("URLs provided are invalid. Please provide valid application and redirect URLs.")
        client_type = CLIENT_TYPES.get(options["client_type"].lower())
        if client_type is None:
            raise CommandError("Client type provided is invalid. Please use one of 'confidential' or 'public'.")
        fields = {"url": options["url"], "redirect_uri": options["redirect_uri"], "client_type": client_type}
        if options["logout_uri"] is not None:
            if options["logout_uri"] and not _is_url(options["logout_uri"]):
                raise CommandError("The logout URI provided is invalid. Please provide a valid logout URI.")
            fields["logout_uri"] = options["logout_uri"]
        if options["username"] is not None:
            try:
                fields["user"] = get_user_model().objects.get(username=options["username"])
            except get_user_model().DoesNotExist:
                raise CommandError("User matching the provided username does not exist.") from None
        for option, field in (("client_name", "name"), ("client_id", "client_id"), ("client_secret", "client_secret")):
            if options[option] is not None:
                fields[field] = options[option]
        return fields


def _is_url(value):
    try:
        URLValidator()(value)
    except ValidationError:
        return False
    return True
