"""The main() of modules that ensure resources on the LMS (edx_user, edx_oauth_client, edx_access).

Validate the request before the LMS starts, run the in-LMS program once, pass on its warnings and
shape the result; every failure is reported with its message, nothing half-applied.
"""

from ansible.module_utils.edx_results import module_result
from ansible.module_utils.edx_runner import LmsError, LmsRunner


def ensure_resources(module, program, entry, kinds, extra_request=None, shape=None):
    """Run `entry` of `program` (module_utils parts) for the resources of `kinds`; exit the module.

    `extra_request(params)` adds to the request, `shape(answer, result)` adds to the result.
    """
    try:
        request = {"check_mode": module.check_mode}
        for kind in kinds:
            request.update(kind.build_request(module.params))
        if extra_request:
            request.update(extra_request(module.params))
        answer = LmsRunner(module).run(program, entry, request)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    except LmsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    for warning in answer.get("warnings", []):
        module.warn(warning)
    result = module_result(answer, kinds, module._diff)
    if shape:
        shape(answer, result)
    module.exit_json(**result)
