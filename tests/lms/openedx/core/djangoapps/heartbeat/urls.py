from django.urls import re_path

from openedx.core.djangoapps.heartbeat.views import heartbeat

urlpatterns = [
    re_path(r"^heartbeat$", heartbeat, name="heartbeat"),
]
