"""At every start: print Django 1.8's deprecation noise, hide commands the release lacks."""

import functools

from django.apps import AppConfig
from django.conf import settings


class Django18Config(AppConfig):
    name = "standin_django18"
    label = "standin_django18"
    verbose_name = "Django 1.8 behaviour (stand-in)"

    def ready(self):
        from standin_django18 import warnings_noise

        warnings_noise.write(getattr(settings, "DJANGO18_DEPRECATION_WARNINGS", 0))
        _hide_commands(getattr(settings, "STANDIN_ABSENT_COMMANDS", ()))


def _hide_commands(names):
    """Make `manage.py NAME` and call_command(NAME) answer "Unknown command", as on the release."""
    if not names:
        return
    from django.core import management

    original = management.get_commands

    @functools.cache
    def get_commands():
        return {name: app for name, app in original().items() if name not in names}

    management.get_commands = get_commands
