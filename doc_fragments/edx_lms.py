# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Documentation of the options shared by modules that run code inside the LMS."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  runner:
    description:
      - How to reach the LMS's C(manage.py) on the managed host.
      - V(native) runs C(/edx/bin/python.edxapp /edx/bin/manage.edxapp lms --settings=production) from
        C(/edx/app/edxapp/edx-platform) with the variables of C(/edx/app/edxapp/edxapp_env) (installs made
        by the openedx configuration playbooks). Use C(become_user) on the task, for example V(edxapp)
        or V(www-data).
      - V(tutor_local) runs C(tutor local exec -T lms ./manage.py lms) (Tutor 13 and later, the LMS
        container must be running).
      - V(tutor_k8s) runs C(tutor k8s exec lms ./manage.py lms).
      - V(docker) runs C(docker exec -i CONTAINER ./manage.py lms); set O(container).
      - V(command) runs O(manage_command) as given; used for other layouts, the demo and the tests.
      - Whatever the runner, each module call starts the LMS once, and user data reaches it as JSON on
        standard input, never on a command line.
    type: str
    default: native
    choices: [native, tutor_local, tutor_k8s, docker, command]
  manage_command:
    description:
      - The command up to and including C(manage.py); C(lms), the settings and the C(shell) command are
        appended.
      - Defaults per O(runner) are listed under O(runner). Required with O(runner=command).
    type: list
    elements: str
  settings:
    description:
      - Django settings name passed as C(--settings=NAME) (C(lms.envs.NAME) on the LMS).
      - Defaults to V(production) with O(runner=native); Ginkgo and Hawthorn hosts use V(aws).
        Left out for the other runners (Tutor's image sets C(DJANGO_SETTINGS_MODULE)).
      - An empty string passes no C(--settings).
    type: str
  env_file:
    description:
      - File of C(export NAME="value") lines whose variables the LMS needs (C(LMS_CFG) and friends),
        read without a shell.
      - Defaults to C(/edx/app/edxapp/edxapp_env) with O(runner=native), none otherwise. An empty string
        reads no file.
    type: path
  chdir:
    description:
      - Directory to run the command from.
      - Defaults to C(/edx/app/edxapp/edx-platform) with O(runner=native), none otherwise. An empty string
        keeps the current directory.
    type: path
  container:
    description:
      - Name of the LMS container for O(runner=docker).
    type: str
  lms_timeout:
    description:
      - Seconds the LMS-side process (the LMS's start plus the module's work) may take. When they
        are up, the process and everything it started are killed and the task fails, saying so.
      - The module's changes commit in one transaction at the end, so a process killed on this
        deadline applies nothing; run the task again once the LMS answers.
      - With O(runner=tutor_local), O(runner=tutor_k8s) and O(runner=docker) the process inside the
        container also ends itself at this deadline, since killing C(docker exec) or C(kubectl exec)
        does not stop it.
      - A real LMS takes several seconds to start; a list of thousands of users takes minutes more.
        At most V(86400) (a day).
    type: int
    default: 600
  shell:
    description:
      - How the program reaches the LMS's C(manage.py lms shell).
      - V(command) runs C(shell -c) with fixed code (Django 1.10 and later, so Hawthorn onwards).
      - V(interactive) runs C(shell --plain --no-startup) and sends the fixed code as the first line of the
        console session, followed by the JSON document it reads itself (Django 1.8, so Ginkgo, whose shell
        has no C(-c)). The console's prompts and warnings do not matter; the result is read from its
        marked line.
      - V(auto) tries V(command) and, only when the shell refuses C(-c) with argparse's
        C(unrecognized arguments) error, starts the LMS once more with V(interactive). A modern LMS pays
        nothing for it; set V(interactive) on Ginkgo to save that extra start.
      - Either way user data travels only on standard input, and O(lms_timeout) covers both starts.
    type: str
    default: auto
    choices: [auto, command, interactive]
attributes:
  action:
    support: full
    description:
      - The LMS side runs on the controller through the module's action plugin; only C(manage.py lms shell)
        runs on the host, started over the task's connection (with become) with its input on stdin. The host
        needs a POSIX C(/bin/sh) and coreutils, and no Python for Ansible (a Ginkgo host with Python 3.5 works).
"""
