"""
`DJANGO_SETTINGS_MODULE=lms.envs.tutor.production`: what Tutor's openedx image and its
docker-compose.yml set for the lms service. An alias of production: Tutor's own rendered
file imports edx-platform's modulestore and needs MySQL, MongoDB and Redis, which the
container stand-in (tests/containers) does not run.
"""

from lms.envs.production import *  # noqa: F403
