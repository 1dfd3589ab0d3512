"""The LMS-side tasks edx_user, edx_oauth_client and edx_access, each defined once.

A task's options, constraints, in-LMS program and result shaping are read both by its module file
(documentation, AnsibleModule) and by its action plugin, which runs the task on the controller and
only the LMS process on the host (`edx_connection_host`).
"""

import time
from collections import namedtuple

from ansible.module_utils import (
    edx_inlms_access,
    edx_inlms_base,
    edx_inlms_clients,
    edx_inlms_dop_clients,
    edx_inlms_tokens,
    edx_inlms_users,
)
from ansible.module_utils.edx_access_options import ACCESS_KINDS, access_argument_spec, token_request, token_result
from ansible.module_utils.edx_client_options import (
    CLIENT_MUTUALLY_EXCLUSIVE,
    CLIENT_REQUIRED_ONE_OF,
    CLIENTS,
    client_argument_spec,
)
from ansible.module_utils.edx_results import module_result
from ansible.module_utils.edx_runner import LMS_REQUIRED_IF, LmsRunner, lms_argument_spec
from ansible.module_utils.edx_user_options import (
    USER_MUTUALLY_EXCLUSIVE,
    USER_REQUIRED_ONE_OF,
    USERS,
    user_argument_spec,
)

# options(): the task's own options; program: module_utils parts run in the LMS, `entry` their main;
# extra_request(params) adds to the request; shape(answer, result, started) adds to the result.
LmsTask = namedtuple("LmsTask", "options mutually_exclusive required_one_of program entry kinds extra_request shape")

TASKS = {
    "edx_user": LmsTask(
        user_argument_spec,
        USER_MUTUALLY_EXCLUSIVE,
        USER_REQUIRED_ONE_OF,
        (edx_inlms_base, edx_inlms_users),
        "ensure_users",
        [USERS],
        None,
        None,
    ),
    "edx_oauth_client": LmsTask(
        client_argument_spec,
        CLIENT_MUTUALLY_EXCLUSIVE,
        CLIENT_REQUIRED_ONE_OF,
        (edx_inlms_base, edx_inlms_clients, edx_inlms_dop_clients),
        "ensure_oauth_clients",
        [CLIENTS],
        None,
        None,
    ),
    "edx_access": LmsTask(
        access_argument_spec,
        None,
        None,
        (edx_inlms_base, edx_inlms_users, edx_inlms_clients, edx_inlms_dop_clients, edx_inlms_tokens, edx_inlms_access),
        "ensure_access",
        ACCESS_KINDS,
        token_request,
        token_result,
    ),
}


def argument_spec(task):
    """The task's full argument spec: where the LMS runs (doc fragment edx_lms), then its own options."""
    spec = lms_argument_spec()
    spec.update(task.options())
    return spec


def constraints(task):
    """The keyword arguments AnsibleModule and ArgumentSpecValidator take besides the spec."""
    return dict(
        mutually_exclusive=task.mutually_exclusive,
        required_one_of=task.required_one_of,
        required_if=LMS_REQUIRED_IF,
    )


class _Params:
    """What LmsRunner reads of a module, for the controller (which has no AnsibleModule)."""

    def __init__(self, params):
        self.params = params


def run_task(task, params, check_mode, diff, host):
    """Run the task once inside the LMS started on `host`; its result and warnings.

    Raises ValueError (bad input, before the LMS starts) or LmsError (what went wrong and what to do).
    """
    started = time.time()
    request = {"check_mode": check_mode}
    for kind in task.kinds:
        request.update(kind.build_request(params))
    if task.extra_request:
        request.update(task.extra_request(params))
    answer = LmsRunner(_Params(params), host).run(task.program, task.entry, request)
    result = module_result(answer, task.kinds, diff)
    if task.shape:
        task.shape(answer, result, started)
    return result, list(answer.get("warnings", []))
