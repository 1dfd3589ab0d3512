# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action plugin of every LMS-side module: edx_access, edx_user, edx_oauth_client, edx_token.

edx_user.py, edx_oauth_client.py and edx_token.py beside this file are symbolic links to it (as in
kubernetes.core); the task's module name says what to run. The work is in
module_utils/edx_provision/lms/action.py: the task runs on the controller and only `manage.py` on
the LMS host, so that host needs no Python for Ansible.
"""

# project layout begin: in a checkout, module_utils/edx_provision is registered as the package
# ansible.module_utils.edx_provision (a collection's loader finds its module_utils by itself; its
# build drops this block).
import importlib.util
import os
import sys

import ansible.module_utils

if "ansible.module_utils.edx_provision" not in sys.modules:
    _INIT = os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "module_utils", "edx_provision", "__init__.py"
    )
    _SPEC = importlib.util.spec_from_file_location("ansible.module_utils.edx_provision", _INIT)
    ansible.module_utils.edx_provision = sys.modules[_SPEC.name] = importlib.util.module_from_spec(_SPEC)
    _SPEC.loader.exec_module(ansible.module_utils.edx_provision)
# project layout end

from ansible.module_utils.edx_provision.lms.action import run_action
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display


class ActionModule(ActionBase):
    _supports_check_mode = True
    # An async job's status would carry edx_token's token past this plugin; the LMS side has its own deadline.
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        result.update(run_action(self, task_vars, Display().vvv))
        return result
