"""Action plugin for edx_oauth_client: the task runs on the controller, only the LMS process on the host.

So the LMS host needs no Python for Ansible (a Ginkgo host has 3.5 and the LMS's 2.7), while become,
check mode, diff and no_log work as for a module. The logic is in module_utils/edx_lms_action.py.
"""

# project layout begin: ansible.cfg's module_utils folder, importable on the controller too (a
# collection's imports are fully qualified; its build drops this block).
import os

import ansible.module_utils
from ansible import constants

for _path in list(constants.DEFAULT_MODULE_UTILS_PATH or []) + [
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "module_utils")
]:
    if os.path.isdir(_path) and _path not in ansible.module_utils.__path__:
        ansible.module_utils.__path__.append(_path)
# project layout end

from ansible.module_utils.edx_lms_action import run_lms_task  # noqa: E402
from ansible.plugins.action import ActionBase  # noqa: E402
from ansible.utils.display import Display  # noqa: E402


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        result.update(run_lms_task(self, "edx_oauth_client", Display().vvv))
        return result
