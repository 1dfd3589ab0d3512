"""
Production with FEATURES['ENABLE_OAUTH2_PROVIDER'] off (lms/envs/common.py's default
upstream): no /oauth2/ URL is mounted, so every one of them answers 404.
"""

from lms.envs.production import *  # noqa: F403
from lms.envs.production import FEATURES

FEATURES = {**FEATURES, "ENABLE_OAUTH2_PROVIDER": False}
