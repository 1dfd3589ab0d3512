"""The main() of modules that ensure resources on the LMS (edx_user, edx_oauth_client).

Validate the request before the LMS starts, run the in-LMS program once, pass on its warnings and
shape the result; every failure is reported with its message, nothing half-applied.
"""

from ansible.module_utils.edx_lms_runner import LmsError, LmsRunner
from ansible.module_utils.edx_results import module_result


def ensure_resources(module, build_request, parts, entry, list_key, kind, name_key, secret_props=()):
    """Run `entry` of the program made of `parts` for the request `build_request(params)`; exit."""
    try:
        request = build_request(module.params)
        request["check_mode"] = module.check_mode
        answer = LmsRunner(module).run(parts, entry, request)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    except LmsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    for warning in answer.get("warnings", []):
        module.warn(warning)
    module.exit_json(**module_result(answer[list_key], list_key, module._diff, kind, name_key, secret_props))
