"""Heartbeat checks (heartbeat/default_checks.py). Each returns (name, ok, message)."""

from django.db import connection
from django.db.utils import DatabaseError


def check_modulestore():
    """The stand-in's course store is the CourseOverview table (no modulestore)."""
    from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

    try:
        CourseOverview.objects.exists()
        return "modulestore", True, "OK"
    except DatabaseError as fail:
        return "modulestore", False, str(fail)


def check_database():
    """A no-op query; as upstream, failing to connect at all escapes to the view (503)."""
    cursor = connection.cursor()
    try:
        cursor.execute("SELECT 1")
        cursor.fetchone()
        return "sql", True, "OK"
    except DatabaseError as fail:
        return "sql", False, str(fail)
