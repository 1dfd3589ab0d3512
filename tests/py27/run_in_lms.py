"""Under Python 2.7 with Ginkgo's libraries: what `manage.py lms shell` does for the toolkit.

argv: `migrate` (create the tables, once), `users NAME...` (create users), or `program`: read the
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
else:
    document = json.loads(sys.stdin.read())
    namespace = {"__name__": "edx_provision"}
    exec(compile(document["program"], "<edx-provision>", "exec"), namespace)
    namespace["main"](document["request"])
