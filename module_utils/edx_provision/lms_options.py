# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The options that say where the LMS runs and how to start it (doc fragment edx_lms).

At the top of the package because both sides read them: the controller's LMS side (lms/) acts on them,
and edx_token's module process (http/) lists them in its argument spec for its method direct.
"""

RUNNERS = ("native", "tutor_local", "tutor_k8s", "docker", "command")
CONTAINER_RUNNERS = ("tutor_local", "tutor_k8s", "docker")
SHELLS = ("auto", "command", "interactive")
DEFAULT_TIMEOUT = 600
MAX_TIMEOUT = 86400  # a day; SIGALRM takes no more than an unsigned int anyway

# What a module whose action plugin Ansible did not load says: the LMS side runs only through it.
NO_ACTION_PLUGIN = (
    "%s runs on the controller through its action plugin (action_plugins/edx_access.py, or the collection's "
    "plugins/action), which this Ansible did not load. Use the repository's ansible.cfg (action_plugins = "
    "./action_plugins) or the installed collection's fully qualified module name."
)


def lms_argument_spec():
    """Options shared by every module that runs code inside the LMS (doc fragment `edx_lms`)."""
    return dict(
        runner=dict(type="str", default="native", choices=list(RUNNERS)),
        manage_command=dict(type="list", elements="str"),
        settings=dict(type="str"),
        env_file=dict(type="path"),
        chdir=dict(type="path"),
        container=dict(type="str"),
        lms_timeout=dict(type="int", default=DEFAULT_TIMEOUT),
        shell=dict(type="str", default="auto", choices=list(SHELLS)),
    )


LMS_REQUIRED_IF = [
    ("runner", "command", ["manage_command"]),
    ("runner", "docker", ["container"]),
]
