"""
create_dot_application NAME USERNAME [--grant-type T] [--redirect-uris "U1 U2"] [--public]
                       [--skip-authorization] [--client-id ID] [--client-secret S]
                       [--scopes a,b,c] [--update]

Creates a django-oauth-toolkit Application (and an ApplicationAccess when --scopes is
given), with the signature and behaviour of edx-platform's command:
  * identity is (owner, name); USERNAME must exist (else an uncaught DoesNotExist);
  * an existing application is left unchanged without --update; with --update,
    redirect_uris, client_type, authorization_grant_type and skip_authorization are
    overwritten with the given values or their defaults, client_id/secret only when given;
  * --scopes creates the ApplicationAccess row when missing and replaces its scopes only
    with --update;
  * nothing on stdout: the results, client secret included, are logged at INFO.
"""

import logging

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from oauth2_provider.models import get_application_model

from openedx.core.djangoapps.oauth_dispatch.models import ApplicationAccess

logger = logging.getLogger(__name__)

Application = get_application_model()


class Command(BaseCommand):
    help = "Creates a Django OAuth Toolkit (DOT) Application Instance."

    def add_arguments(self, parser):
        grant_type_choices = [grant_type[0] for grant_type in Application.GRANT_TYPES]
        parser.add_argument("name", action="store", help="The name of this DOT Application")
        parser.add_argument(
            "username", action="store", help="The name of the LMS user associated with this DOT Application"
        )
        parser.add_argument(
            "--grant-type",
            action="store",
            dest="grant_type",
            default=Application.GRANT_CLIENT_CREDENTIALS,
            choices=grant_type_choices,
            help="The type of authorization this application can grant",
        )
        parser.add_argument(
            "--redirect-uris",
            action="store",
            dest="redirect_uris",
            default="",
            help="The redirect URI(s) for this application.  Multiple URIs should be space separated.",
        )
        parser.add_argument(
            "--public",
            action="store_true",
            dest="public",
            default=False,
            help="Make the application public?  Confidential by default.",
        )
        parser.add_argument(
            "--skip-authorization",
            action="store_true",
            dest="skip_authorization",
            help="Skip the in-browser user authorization?  False by default.",
        )
        parser.add_argument(
            "--client-id",
            action="store",
            dest="client_id",
            default="",
            help="The client_id for this application. If omitted, one will be generated.",
        )
        parser.add_argument(
            "--client-secret",
            action="store",
            dest="client_secret",
            default="",
            help="The client_secret for this application. If omitted, one will be generated.",
        )
        parser.add_argument(
            "--scopes",
            action="store",
            dest="scopes",
            default="",
            help="Comma-separated list of scopes that this application will be allowed to request.",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            dest="update",
            help="If application and/or access already exist, update values.",
        )

    def _create_application(self, user, app_name, application_kwargs):
        application = Application.objects.create(user=user, name=app_name, **application_kwargs)
        logger.info(
            "Created %s application with id: %s, client_id: %s, and client_secret: %s",
            app_name,
            application.id,
            application.client_id,
            application.client_secret,
        )
        return application

    def _update_application(self, application, application_kwargs):
        for key, value in application_kwargs.items():
            setattr(application, key, value)
        application.save()
        logger.info(
            "Updated %s application with id: %s, client_id: %s, and client_secret: %s",
            application.name,
            application.id,
            application.client_id,
            application.client_secret,
        )

    def _create_or_update_access(self, application, scopes, update):
        access = ApplicationAccess.objects.filter(application_id=application.id).first()
        if access and update:
            access.scopes = scopes
            access.save()
            logger.info("Updated application access for %s with scopes: %s", application.name, scopes)
        elif access:
            logger.info("Application access for application %s already exists.", application.name)
        else:
            application_access = ApplicationAccess.objects.create(application_id=application.id, scopes=scopes)
            logger.info(
                "Created application access for %s with scopes: %s", application.name, application_access.scopes
            )

    def handle(self, *args, **options):
        username = options["username"]
        user = User.objects.get(username=username)
        app_name = options["name"]
        update = options["update"]

        client_type = Application.CLIENT_PUBLIC if options["public"] else Application.CLIENT_CONFIDENTIAL
        application_kwargs = {
            "redirect_uris": options["redirect_uris"],
            "client_type": client_type,
            "authorization_grant_type": options["grant_type"],
            "skip_authorization": options["skip_authorization"],
        }
        if options["client_id"]:
            application_kwargs["client_id"] = options["client_id"]
        if options["client_secret"]:
            application_kwargs["client_secret"] = options["client_secret"]

        application = Application.objects.filter(user=user, name=app_name).first()
        if application and update:
            self._update_application(application, application_kwargs)
        elif application:
            logger.info("Application with name %s and user %s already exists.", app_name, username)
        else:
            application = self._create_application(user, app_name, application_kwargs)

        scopes = options["scopes"]
        if scopes:
            self._create_or_update_access(application, scopes, update)
