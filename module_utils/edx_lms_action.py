"""What the action plugins of edx_user, edx_oauth_client and edx_access do on the controller.

Validate the task's options (the module's own argument spec), run the task with the LMS process
started over the task's connection (`edx_connection_host`: become applies, the host needs no
Python for Ansible), and return the result a module would: changed, diff, warnings, failures with
their message; values of no_log options masked wherever they appear.
Only module_utils imports here, so the collection's sanity tests can import it like the others.
"""

from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.edx_connection_host import ConnectionHost
from ansible.module_utils.edx_lms_tasks import TASKS, argument_spec, constraints, run_task
from ansible.module_utils.edx_runner import LmsError


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


def run_lms_task(action, name, log=None):
    """The result of task `name` (edx_lms_tasks.TASKS) for the action plugin `action`."""
    task = TASKS[name]
    validation, params = action.validate_argument_spec(argument_spec(task), **constraints(task))
    host = ConnectionHost(connection_executor(action), log=log)
    try:
        result, warnings = run_task(task, params, bool(action._task.check_mode), bool(action._task.diff), host)
    except ValueError as exc:
        result, warnings = dict(failed=True, msg=str(exc)), []
    except LmsError as exc:
        result, warnings = dict(exc.details, failed=True, msg=exc.msg), []
    if warnings:
        result["warnings"] = warnings
    # The no_log values AnsibleModule would mask in a module's result (passwords, secrets).
    return remove_values(result, validation._no_log_values)
