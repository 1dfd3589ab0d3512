"""Under Python 2.7 with Ginkgo's libraries: what `manage.py lms shell` does for the toolkit.

argv: `migrate` (create the tables, once), `users NAME...` (create users), `dot_app CLIENT_ID OWNER`
(a DOT application made by hand, as in Django admin), or `program`: read the
toolkit's document ({"program", "request"}) from stdin and run it as the bootstrap does; the
program prints its own result line."""

import json
import sys

import django

django.setup()

if sys.argv[1] == "migrate":
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
elif sys.argv[1] == "users":
    from django.contrib.auth import get_user_model

    for name in sys.argv[2:]:
        get_user_model().objects.create_user(name, name + "@example.com", "pw")
elif sys.argv[1] == "dot_app":
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import Application

    owner = get_user_model().objects.get(username=sys.argv[3])
    Application.objects.create(
        client_id=sys.argv[2],
        user=owner,
        name="by hand",
        client_type="confidential",
        authorization_grant_type="client-credentials",
    )
else:
    document = json.loads(sys.stdin.read())
    namespace = {"__name__": "edx_provision"}
    exec(compile(document["program"], "<edx-provision>", "exec"), namespace)
    namespace["main"](document["request"])
