"""Action plugin for edx_token: run the module, then hide its successful result from output.

A module cannot mark its own return values no_log, and the result holds a live token that `-v`
would print. Setting `_ansible_no_log` on a successful result makes every callback show it censored
while the registered variable keeps the token. Failures stay visible: they never contain a token.
"""

from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash


class ActionModule(ActionBase):
    _supports_check_mode = True
    # An async job's status would carry the token past this plugin; minting is quick anyway.
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        result = merge_hash(result, self._execute_module(task_vars=task_vars))
        self._remove_tmp_path(self._connection._shell.tmpdir)
        if "token" in result:
            result["_ansible_no_log"] = True
        return result
