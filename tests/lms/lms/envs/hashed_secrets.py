"""
Production, but client secrets are hashed when an Application is saved, as
django-oauth-toolkit 2+ does: a secret can never be read back from the database.
"""

from lms.envs.production import *  # noqa: F403

OAUTH2_HASH_CLIENT_SECRETS = True
