"""
Prepare a state directory: migrate the database and seed the demo course.

Run by control.py as `python -m lms.setup_state` from tests/lms, with LMS_STATE_DIR and
DJANGO_SETTINGS_MODULE set. It is not manage.py, so it adds no line to boots.log: that
log counts the management-command boots of the toolkit under test, not the harness's.
"""

import os


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.envs.production")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_courses", verbosity=0)


if __name__ == "__main__":
    main()
