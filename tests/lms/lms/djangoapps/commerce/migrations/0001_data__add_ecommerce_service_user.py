"""Creates the `ecommerce_worker` service user, as Ginkgo's `migrate` does."""

from django.conf import settings
from django.db import migrations

USERNAME = "ecommerce_worker"


def add_service_user(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    user, _ = User.objects.get_or_create(username=USERNAME, defaults={"email": f"{USERNAME}@fake.email"})
    user.password = "!"  # unusable, like set_unusable_password()
    user.save()


def remove_service_user(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    User.objects.filter(username=USERNAME).delete()


class Migration(migrations.Migration):
    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [migrations.RunPython(add_service_user, remove_service_user)]
