# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the one action plugin of the LMS-side modules does on the controller.

edx_access, edx_user, edx_oauth_client and edx_token (`method: direct`) validate their options with
the module's own argument spec, start the LMS over the task's connection (`connection`: become and
the task's `environment:` apply, the host needs no Python for Ansible), and return what a module
would: changed, diff, warnings, failures with their message; values of no_log options masked.
edx_token with `method: endpoint` runs as a module (normally delegated to the controller); its
successful result, which holds the token, is hidden from output like a no_log result.

Arguments are checked with ActionBase's public `validate_argument_spec`, and no_log values are found
from the argument spec itself (`no_log_values`). ActionBase has no public names for the rest, so this
uses what Ansible's own action plugins use: `_task` (the task's name, arguments, check and diff
mode), `_low_level_execute_command` and `_compute_environment_string` (a command over the
connection with become and the task's environment), `_execute_module`, `_remove_tmp_path` and
`_connection._shell.tmpdir` (run edx_token's module and clean up after it, as ActionBase's own
modules do).
"""

from ..http.session import EdxHttpError
from ..http.token_flow import TOKEN_REQUIRED_IF, obtain_token, token_argument_spec
from ..masking import mask_secrets
from .connection import ConnectionHost
from .direct_token import direct_minter
from .runner import LmsError
from .tasks import TASKS, argument_spec, constraints, run_task

DIRECT_CHECK_MODE = (
    "Check mode: a direct token is a row in the LMS's database, so none is made. Run without --check to "
    "make one, or use method endpoint (check mode mints at the token endpoint)."
)


def connection_executor(action):
    """execute(command, in_data) -> (rc, stdout, stderr) through the action's connection, with become
    and the task's `environment:` as a module would get them."""
    prefix = action._compute_environment_string()

    def execute(command, in_data):
        if prefix:
            command = "%s %s" % (prefix.strip(), command)
        result = action._low_level_execute_command(command, sudoable=True, in_data=in_data)
        return result.get("rc"), result.get("stdout", ""), result.get("stderr", "")

    return execute


def no_log_values(spec, params):
    """The values of the options (and suboptions, in dicts and lists of dicts) marked no_log."""
    found = set()
    for name, option in spec.items():
        value = (params or {}).get(name)
        if value is None or value == "":
            continue
        if option.get("no_log"):
            found.add(str(value))
        if option.get("options"):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    found |= no_log_values(option["options"], item)
    return found


def run_action(action, task_vars, log=None):
    """The result of the task the plugin `action` runs; its module's name is the task's last word."""
    name = action._task.action.rsplit(".", 1)[-1]
    if name == "edx_token":
        result = run_token(action, task_vars, log)
        if not result.get("failed") and "token" in result:
            result["_ansible_no_log"] = True  # the token: shown censored, kept in the registered variable
        return result
    task = TASKS[name]
    spec = argument_spec(task)
    params = action.validate_argument_spec(spec, **constraints(task))[1]
    try:
        result, warnings = run_task(
            task, params, bool(action._task.check_mode), bool(action._task.diff), host(action, log)
        )
    except ValueError as exc:
        result, warnings = dict(failed=True, msg=str(exc)), []
    except LmsError as exc:
        result, warnings = dict(exc.details, failed=True, msg=exc.msg), []
    if warnings:
        result["warnings"] = warnings
    return mask_secrets(result, no_log_values(spec, params))


def host(action, log):
    return ConnectionHost(connection_executor(action), log=log)


def run_token(action, task_vars, log):
    """edx_token: `method: endpoint` as a module on the task's host, `direct` here on the controller."""
    if action._task.args.get("method", "endpoint") != "direct":
        result = action._execute_module(task_vars=task_vars)
        action._remove_tmp_path(action._connection._shell.tmpdir)
        return result
    spec = token_argument_spec()
    params = action.validate_argument_spec(spec, required_if=TOKEN_REQUIRED_IF)[1]
    warnings = []
    check_mode = bool(action._task.check_mode)
    try:
        minter = direct_minter(host(action, log), params, check_mode)  # checks the options first
        if check_mode:
            return dict(skipped=True, changed=False, msg=DIRECT_CHECK_MODE)
        result = obtain_token(params, check_mode, warnings.append, minter)
    except EdxHttpError as exc:
        result = dict(exc.result(), failed=True, msg=exc.msg)
    except LmsError as exc:
        result = dict(exc.details, failed=True, msg=exc.msg, cause="lms")
    if warnings:
        result["warnings"] = warnings
    return mask_secrets(result, no_log_values(spec, params))
