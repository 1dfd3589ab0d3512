# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The LMS-side tasks edx_user, edx_oauth_client and edx_access, each defined once.

A task's options, constraints, in-LMS entry point and result shaping are read both by its module
file (documentation, argument spec) and by the action plugin, which runs the task on the controller
and only the LMS process on the host (`connection`).
"""

import time
from collections import namedtuple

from ansible.module_utils.basic import AnsibleModule

from ..lms_options import LMS_REQUIRED_IF, NO_ACTION_PLUGIN, lms_argument_spec
from .access_options import ACCESS_KINDS, access_argument_spec, token_request, token_result
from .client_options import CLIENT_MUTUALLY_EXCLUSIVE, CLIENT_REQUIRED_ONE_OF, CLIENTS, client_argument_spec
from .results import module_result
from .runner import LmsRunner
from .user_options import USER_MUTUALLY_EXCLUSIVE, USER_REQUIRED_ONE_OF, USERS, user_argument_spec

# options(): the task's own options; entry: its in-LMS entry point (programs.PROGRAMS);
# extra_request(params) adds to the request; shape(answer, result, started) adds to the result.
LmsTask = namedtuple("LmsTask", "options mutually_exclusive required_one_of entry kinds extra_request shape")

TASKS = {
    "edx_user": LmsTask(
        user_argument_spec, USER_MUTUALLY_EXCLUSIVE, USER_REQUIRED_ONE_OF, "ensure_users", [USERS], None, None
    ),
    "edx_oauth_client": LmsTask(
        client_argument_spec,
        CLIENT_MUTUALLY_EXCLUSIVE,
        CLIENT_REQUIRED_ONE_OF,
        "ensure_oauth_clients",
        [CLIENTS],
        None,
        None,
    ),
    "edx_access": LmsTask(access_argument_spec, None, None, "ensure_access", ACCESS_KINDS, token_request, token_result),
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
    answer = LmsRunner(params, host).run(task.entry, request)
    result = module_result(answer, task.kinds, diff)
    if task.shape:
        task.shape(answer, result, started)
    return result, list(answer.get("warnings", []))


def main_without_action_plugin(name):
    """main() of the module file: reached only when Ansible did not load the action plugin; says so."""
    task = TASKS[name]
    module = AnsibleModule(argument_spec=argument_spec(task), supports_check_mode=True, **constraints(task))
    module.fail_json(msg=NO_ACTION_PLUGIN % name)
