"""The main() of the LMS-side modules when they run on the LMS host itself, as plain modules.

Their action plugins normally run them on the controller (`edx_lms_action`); run as a module
(without the action plugin), the LMS starts in the module's own process (`edx_local_host`).
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.edx_lms_tasks import TASKS, argument_spec, constraints, run_task
from ansible.module_utils.edx_local_host import LocalHost
from ansible.module_utils.edx_runner import LmsError


def module_argument_spec(name):
    """The argument spec of the task `name`, as its documentation states it."""
    return argument_spec(TASKS[name])


def module_main(name):
    """Run the task `name` (edx_lms_tasks.TASKS) as a module; exit it with the result."""
    task = TASKS[name]
    module = AnsibleModule(argument_spec=argument_spec(task), supports_check_mode=True, **constraints(task))
    try:
        result, warnings = run_task(task, module.params, module.check_mode, module._diff, LocalHost(module))
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    except LmsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    for warning in warnings:
        module.warn(warning)
    module.exit_json(**result)
