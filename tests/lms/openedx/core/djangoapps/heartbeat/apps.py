from django.apps import AppConfig


class HeartbeatConfig(AppConfig):
    name = "openedx.core.djangoapps.heartbeat"
    label = "heartbeat"
    verbose_name = "Heartbeat"
