"""WSGI entry point for gunicorn: `gunicorn lms.wsgi:application` from tests/lms."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.envs.production")

application = get_wsgi_application()
