"""
Today's LMS (the default flavour): django-oauth-toolkit with client secrets stored in
clear (edx-platform pins DOT 1.7.1), FEATURES['ENABLE_OAUTH2_PROVIDER'] on.
"""

from lms.envs.common import *  # noqa: F403
