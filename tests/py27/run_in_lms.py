"""Under Python 2.7 with Ginkgo's libraries: what `manage.py lms shell` does for the toolkit.

argv: `migrate` (create the tables, once), `users NAME...` (create users), `dot_app CLIENT_ID OWNER`
(a DOT application made by hand, as in Django admin), `dop_secret CLIENT_ID` (a DOP client's secret set by
hand to stdin), `token`: read {"form", "headers"} from stdin,
POST it over HTTPS to the token view Ginkgo's dispatch picks (DOT 0.10's TokenView when the form's
client_id is a DOT application, else edx-oauth2-provider's DOP view) and print {"status", "body"},
or `program`: read the toolkit's document ({"program", "request"}) from stdin and run it as the
bootstrap does; the program prints its own result line."""

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
elif sys.argv[1] == "dop_secret":
    from provider.oauth2.models import Client

    Client.objects.filter(client_id=sys.argv[2]).update(client_secret=sys.stdin.read())
elif sys.argv[1] == "token":
    from django.test import RequestFactory
    from edx_oauth2_provider.views import AccessTokenView
    from oauth2_provider.models import Application
    from oauth2_provider.views import TokenView

    sent = json.loads(sys.stdin.read())
    meta = dict(("HTTP_" + k.upper().replace("-", "_"), v) for k, v in sent["headers"].items())
    request = RequestFactory().post("/oauth2/access_token", sent["form"], secure=True, **meta)
    is_dot = Application.objects.filter(client_id=sent["form"].get("client_id")).exists()
    response = (TokenView if is_dot else AccessTokenView).as_view()(request)
    print(json.dumps({"status": response.status_code, "body": json.loads(response.content)}))
else:
    document = json.loads(sys.stdin.read())
    namespace = {"__name__": "edx_provision"}
    exec(compile(document["program"], "<edx-provision>", "exec"), namespace)
    namespace["main"](document["request"])
