"""
Client-secret storage mode, enforced for every way an Application is saved
(create_dot_application, the admin, plain ORM, DOT's own createapplication).

DOT 3 hashes a secret on save unless the row's `hash_client_secret` is False. Today's
LMS runs DOT 1.7.1, which never hashes; the `hashed_secrets` settings model DOT 2+.
The receiver runs before the model's fields are prepared for saving, so the flag it
sets decides what lands in the database.
"""

from django.conf import settings
from django.db.models.signals import pre_save
from django.dispatch import receiver
from oauth2_provider.models import get_application_model

Application = get_application_model()


@receiver(pre_save, sender=Application, dispatch_uid="standin_client_secret_storage")
def set_client_secret_storage(sender, instance, **kwargs):
    instance.hash_client_secret = bool(getattr(settings, "OAUTH2_HASH_CLIENT_SECRETS", False))
