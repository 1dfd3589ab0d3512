"""
manage_user USERNAME EMAIL [--remove] [--superuser] [--staff] [--unusable-password]
            [--initial-password-hash HASH] [-g/--groups G ...]

Idempotently create or remove a user, set its staff/superuser bits and groups. Same
signature, semantics and stderr messages as edx-platform's command (master):
  * the user is looked up by username only; an existing user whose email differs
    (case-insensitively) is a CommandError (exit 1), and the email is never updated;
  * is_staff/is_superuser are set to exactly the flags given (omitting --staff demotes);
  * groups are replaced by the -g list (omitting it removes every group); unknown group
    names are reported and skipped;
  * the password hash is applied only when the user is created; otherwise a new user
    gets a random usable password; --unusable-password applies on every run;
  * a UserProfile is created when missing; --remove deletes (missing user: exit 0).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher, is_password_usable
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from openedx.core.djangoapps.user_authn.utils import generate_password

from common.djangoapps.student.models import UserProfile


def is_valid_django_hash(encoded):
    try:
        identify_hasher(encoded)
    except ValueError:
        return False
    return True


class Command(BaseCommand):
    help = "Creates the specified user, if it does not exist, and sets its groups."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("email")
        parser.add_argument("--remove", dest="is_remove", action="store_true")
        parser.add_argument("--superuser", dest="is_superuser", action="store_true")
        parser.add_argument("--staff", dest="is_staff", action="store_true")
        parser.add_argument("--unusable-password", dest="unusable_password", action="store_true")
        parser.add_argument("--initial-password-hash", dest="initial_password_hash")
        parser.add_argument("-g", "--groups", nargs="*", default=[])

    def _maybe_update(self, user, attribute, new_value):
        old_value = getattr(user, attribute)
        if new_value != old_value:
            self.stderr.write(f'Setting {attribute} for user "{user.username}" to "{new_value}"')
            setattr(user, attribute, new_value)

    def _check_email_match(self, user, email):
        if user.email.lower() != email.lower():
            raise CommandError(
                f'Skipping user "{user.username}" because the specified and existing email addresses do not match.'
            )

    def _handle_remove(self, username, email):
        user_model = get_user_model()
        try:
            user = user_model.objects.get(username=username)
        except user_model.DoesNotExist:
            self.stderr.write(f'Did not find a user with username "{username}" - skipping.')
            return
        self._check_email_match(user, email)
        self.stderr.write(f'Removing user: "{user}"')
        user.delete()

    @transaction.atomic
    def handle(
        self,
        username,
        email,
        is_remove,
        is_staff,
        is_superuser,
        groups,
        unusable_password,
        initial_password_hash,
        *args,
        **options,
    ):
        if is_remove:
            return self._handle_remove(username, email)

        old_groups, new_groups = set(), set()
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})

        if created:
            if initial_password_hash:
                if not (is_password_usable(initial_password_hash) and is_valid_django_hash(initial_password_hash)):
                    raise CommandError(f"The password hash provided for user {username} is invalid.")
                user.password = initial_password_hash
            else:
                # A random, unknown but usable password (self-service reset stays possible).
                user.set_password(generate_password(length=25))
            self.stderr.write(f'Created new user: "{user}"')
        else:
            self.stderr.write(f'Found existing user: "{user}"')
            self._check_email_match(user, email)
            old_groups = set(user.groups.all())

        self._maybe_update(user, "is_staff", is_staff)
        self._maybe_update(user, "is_superuser", is_superuser)

        if unusable_password and user.has_usable_password():
            self.stderr.write(f'Setting unusable password for user "{user}"')
            user.set_unusable_password()

        try:
            __ = user.profile
        except UserProfile.DoesNotExist:
            UserProfile.objects.create(user=user)
            self.stderr.write(f'Created new profile for user: "{user}"')

        for group_name in groups or set():
            try:
                new_groups.add(Group.objects.get(name=group_name))
            except Group.DoesNotExist:
                self.stderr.write(f'Could not find a group named "{group_name}" - skipping.')

        add_groups = new_groups - old_groups
        remove_groups = old_groups - new_groups
        self.stderr.write(f'Adding user "{user.username}" to groups {[g.name for g in add_groups]}')
        self.stderr.write(f'Removing user "{user.username}" from groups {[g.name for g in remove_groups]}')

        user.groups.set(new_groups)
        user.save()
        return None
