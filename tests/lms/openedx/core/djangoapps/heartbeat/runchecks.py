"""Run the configured heartbeat checks (heartbeat/runchecks.py)."""

from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def runchecks(include_extended=False):
    response_dict = {}
    list_of_checks = list(settings.HEARTBEAT_CHECKS)
    if include_extended:
        list_of_checks += settings.HEARTBEAT_EXTENDED_CHECKS
    for path in list_of_checks:
        module, __, attr = path.rpartition(".")
        try:
            func = getattr(import_module(module), attr)
        except ImportError as exc:
            raise ImproperlyConfigured(f'Error importing module {module}: "{exc}"') from exc
        except AttributeError:
            raise ImproperlyConfigured(f'Module "{module}" does not define a "{attr}" callable') from None
        check_name, is_ok, message = func()
        response_dict[check_name] = {"status": is_ok, "message": message}
    return response_dict
