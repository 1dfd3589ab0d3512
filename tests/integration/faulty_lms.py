"""Test-only wrapper around the stand-in's manage.py that injects faults met on real LMS hosts.

    python faulty_lms.py /path/to/manage.py lms --settings=production shell -c ...

EDX_FAULT_STDERR_BYTES=N   log N bytes to stderr before the LMS reads its stdin (a noisy boot:
                           deprecation warnings, INFO lines), more than a pipe holds
EDX_FAULT_AFTER_SAVE=stall after the first user is created inside the module's transaction, hang
EDX_FAULT_AFTER_SAVE=kill  ... or die by SIGKILL there (what the kernel's OOM killer does)
EDX_FAULT_AFTER_SAVE=pause ... or ignore SIGINT, log to MARKER.log and wait there until the file MARKER.resume
                           exists, then go on
EDX_FAULT_MARKER=PATH      written with that user's name when the fault fires: proof that the
                           process got as far as the middle of the apply
EDX_FAULT_DATABASE=full    the database cannot grow (SQLite's max_page_count): "database or disk is full"
EDX_FAULT_DATABASE=readonly  the database refuses writes (SQLite's query_only): "attempt to write a
                           readonly database"
EDX_FAULT_CLIENT_ID_TAKEN=1  just before an OAuth2 application is created, another one takes its
                           client_id (what a concurrent run or an admin does between read and write)
"""

import os
import runpy
import signal
import sys
import time


def noisy_boot(size):
    line = "WARNING py.warnings: RemovedInDjango19Warning: a deprecation warning at boot\n"
    sys.stderr.write(line * (size // len(line) + 1))
    sys.stderr.flush()


def fault_after_first_user_saved(fault, marker):
    """Once Django is set up, hook the user model's post_save to stall or die mid-transaction."""
    import django

    setup = django.setup

    def setup_with_fault(*args, **kwargs):
        setup(*args, **kwargs)
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        def fire(sender, instance, created, **_kwargs):
            if not created:
                return
            with open(marker, "w") as handle:
                handle.write(instance.username)
            if fault == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if fault == "pause":  # out of reach of the controller's signals, as over SSH; then go on
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                # Its logs go to a file from here, as an LMS that logs elsewhere: only its result would
                # reach the controller.
                os.dup2(os.open(marker + ".log", os.O_WRONLY | os.O_CREAT, 0o600), 2)
                while not os.path.exists(marker + ".resume"):
                    time.sleep(0.05)
                return
            time.sleep(3600)

        post_save.connect(fire, sender=get_user_model(), weak=False)

    django.setup = setup_with_fault


def client_id_taken_before_create():
    """Once Django is set up, an application created first with the same client_id wins the race."""
    import django

    setup = django.setup

    def setup_with_fault(*args, **kwargs):
        setup(*args, **kwargs)
        from django.db.models.signals import pre_save
        from oauth2_provider.models import get_application_model

        model = get_application_model()

        def take(sender, instance, **_kwargs):
            if instance.pk is not None or getattr(instance, "_other_run", False):
                return
            other = model(
                client_id=instance.client_id,
                user=instance.user,
                name=instance.name + " (other run)",
                client_type=instance.client_type,
                authorization_grant_type=instance.authorization_grant_type,
            )
            other._other_run = True
            other.save()

        pre_save.connect(take, sender=model, weak=False)

    django.setup = setup_with_fault


def database_fault(fault):
    """Every database connection of this process gets the fault, through SQLite's own pragmas."""
    import django

    setup = django.setup

    def setup_with_fault(*args, **kwargs):
        setup(*args, **kwargs)
        from django.db.backends.signals import connection_created

        def limit(sender, connection, **_kwargs):
            with connection.cursor() as cursor:
                if fault == "full":
                    cursor.execute("PRAGMA page_count")
                    cursor.execute("PRAGMA max_page_count = %d" % cursor.fetchone()[0])
                else:
                    cursor.execute("PRAGMA query_only = ON")

        connection_created.connect(limit, weak=False)

    django.setup = setup_with_fault


def main():
    manage = os.path.abspath(sys.argv[1])
    sys.argv = sys.argv[1:]
    sys.path.insert(0, os.path.dirname(manage))
    if os.environ.get("EDX_FAULT_STDERR_BYTES"):
        noisy_boot(int(os.environ["EDX_FAULT_STDERR_BYTES"]))
    if os.environ.get("EDX_FAULT_AFTER_SAVE"):
        fault_after_first_user_saved(os.environ["EDX_FAULT_AFTER_SAVE"], os.environ["EDX_FAULT_MARKER"])
    if os.environ.get("EDX_FAULT_DATABASE"):
        database_fault(os.environ["EDX_FAULT_DATABASE"])
    if os.environ.get("EDX_FAULT_CLIENT_ID_TAKEN"):
        client_id_taken_before_create()
    runpy.run_path(manage, run_name="__main__")


if __name__ == "__main__":
    main()
