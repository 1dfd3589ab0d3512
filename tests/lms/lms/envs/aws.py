"""
`--settings=aws`: the name Ginkgo and Hawthorn hosts use (configuration's
COMMON_EDXAPP_SETTINGS). An alias of production.
"""

from lms.envs.production import *  # noqa: F403
