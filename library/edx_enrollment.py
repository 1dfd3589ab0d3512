#!/usr/bin/python
# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ansible module edx_enrollment: ensure learners' enrollments on an Open edX LMS, through its enrollment API."""

DOCUMENTATION = r"""
module: edx_enrollment
short_description: Ensure enrollments of users in Open edX course runs, idempotently and within the API's throttle
description:
  - Ensures a list of enrollments through the LMS's enrollment API (C(/api/enrollment/v1/)), from the
    host the module runs on (normally the controller). Never starts the LMS.
  - Reads the current enrollments first, with as few requests as the API allows (the staff list
    C(enrollments?course_id=...&username=...), 100 users a request and cursor pages of 100; where
    the LMS has no staff list or the caller is not staff, one C(enrollment/{user},{course}) read per
    entry), then posts only what differs. A rerun posts nothing.
  - V(absent) deactivates (C(is_active=false)), since the API cannot delete an enrollment. A mode change or a
    reactivation goes through the API's update path, which needs global staff (or the API key).
  - All input is checked before the first write, and so is what the LMS would refuse, that is malformed
    usernames or course ids, duplicate entries, unknown course runs and unavailable modes (from
    C(course/{id})), and users the LMS does not know (see O(check_users)). Any of them fails the
    call with nothing changed.
  - Keeps under the LMS's throttle (40 requests a minute per user, 120 for staff, none with the API
    key), counting 3 requests of the same user just before it (the role's token proof and API check).
    When throttled anyway (HTTP 429, other requests of that user in the same minute), it waits as
    C(Retry-After) says, up to O(throttle_timeout), and then counts the LMS's minute as full.
author: edx-provision maintainers (!UNKNOWN)
version_added: "0.1.0"
extends_documentation_fragment:
  - edx_http
options:
  token:
    description:
      - Access token of a global staff user (C(is_staff)), for example the C(token) returned by M(edx_token).
      - Required unless O(api_key) is given.
    type: str
  token_type:
    description:
      - "How to send the token: V(bearer) (C(Authorization: Bearer)) or V(jwt) (C(Authorization: JWT))."
      - Left out, a token shaped like a JWT is sent as V(jwt), anything else as V(bearer).
    type: str
    choices: [bearer, jwt]
  api_key:
    description:
      - The LMS's C(EDX_API_KEY), sent as C(X-Edx-Api-Key). Needed to enroll other users on LMSes before
        2020 (Ginkgo), where global staff may not. Requests with it are not throttled.
    type: str
  enrollments:
    description: The enrollments to ensure, applied in the order given.
    type: list
    elements: dict
    required: true
    suboptions:
      username:
        description: Username of the learner. The user must exist.
        type: str
        required: true
      course_id:
        description: Course run id, for example V(course-v1:edX+DemoX+Demo_Course).
        type: str
        required: true
      mode:
        description:
          - Course mode slug, for example V(audit), V(honor) or V(verified).
          - Left out, a new enrollment gets the course's default mode (audit, else honor) and an existing
            one keeps its mode.
          - Ignored with O(enrollments[].state=absent), since the LMS deactivates in the current mode.
        type: str
      state:
        description: V(present) enrolls (or reactivates), V(absent) deactivates.
        type: str
        default: present
        choices: [present, absent]
  throttle_timeout:
    description:
      - Seconds to keep retrying one request that the LMS throttles (HTTP 429).
    type: float
    default: 180
  requests_per_minute:
    description:
      - Pace requests to at most this many in any minute; V(0) sends as fast as the LMS answers.
      - Left out, the LMS's own rates are used, 120 when the staff list answers (the caller is staff),
        40 otherwise, and no pacing with O(api_key).
    type: int
  check_users:
    description:
      - Before the first write, check that every user who gets a new enrollment and has no enrollment
        in the courses read exists, so an unknown user fails the call with nothing changed.
      - The check is a POST into a course run that cannot exist; the LMS answers 406 for an unknown
        user and 400 for a known one, without writing anything. One request per such user.
      - Not done in check mode, which never posts.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: Reads the enrollments and courses and reports what would change; never posts.
  diff_mode:
    support: full
    description: Before and after (mode, is_active) of every enrollment that changes.
notes:
  - Writes through the API cannot share one transaction. Everything the LMS could refuse is checked
    first; when a write still fails (a course filling up meanwhile, the network), the result lists
    what was C(applied) and what is C(pending), and a rerun finishes the job.
seealso:
  - module: edx_token
  - module: edx_user
"""

EXAMPLES = r"""
- name: Mint a token for the staff service user
  edx_token:
    lms_url: https://lms.example.com
    client_id: enrollment-api
    client_secret: "{{ vault_edx_client_secret }}"
    token_type: jwt
  delegate_to: localhost
  register: edx_token_result

- name: Enroll the CI learners
  edx_enrollment:
    lms_url: https://lms.example.com
    token: "{{ edx_token_result.token }}"
    token_type: "{{ edx_token_result.token_type }}"
    enrollments:
      - username: learner1
        course_id: course-v1:edX+DemoX+Demo_Course
      - username: learner2
        course_id: course-v1:edX+DemoX+Demo_Course
        mode: verified
      - username: leaver
        course_id: course-v1:edX+DemoX+Demo_Course
        state: absent
  delegate_to: localhost

- name: An LMS before 2020 (Ginkgo), where only the API key may enroll others
  edx_enrollment:
    lms_url: https://lms.example.com
    api_key: "{{ vault_edx_api_key }}"
    enrollments:
      - username: learner1
        course_id: course-v1:edX+DemoX+Demo_Course
  delegate_to: localhost
"""

RETURN = r"""
enrollments:
  description: One entry per requested enrollment, in the order given.
  returned: success
  type: list
  elements: dict
  contains:
    username:
      description: The learner.
      type: str
      sample: learner1
    course_id:
      description: The course run.
      type: str
      sample: course-v1:edX+DemoX+Demo_Course
    key:
      description: C(username,course_id), as in the API's C(enrollment/{username},{course_id}).
      type: str
      sample: learner1,course-v1:edX+DemoX+Demo_Course
    state:
      description: The requested state.
      type: str
      sample: present
    action:
      description: What was done (or, in check mode, would be done).
      type: str
      choices: [create, update, deactivate, none]
      sample: create
    changes:
      description: Properties that change.
      type: list
      elements: str
      sample: [mode]
    before:
      description: C(mode) and C(is_active) before, or null when the user was never enrolled.
      type: dict
      sample: null
    after:
      description: C(mode) and C(is_active) after, as the LMS answered the write (predicted in check mode).
      type: dict
      sample: {"mode": "audit", "is_active": true}
http:
  description: What the call cost in requests.
  returned: always, except when an option is invalid
  type: dict
  contains:
    requests:
      description: HTTP requests made, 429 answers included.
      type: int
      sample: 4
    reads:
      description: Requests reading enrollments (staff list pages, or per-enrollment reads).
      type: int
      sample: 1
    course_reads:
      description: Course run reads (C(course/{id})), one per course that gets a new enrollment or mode.
      type: int
      sample: 1
    user_checks:
      description: Requests checking that a user exists (O(check_users)).
      type: int
      sample: 1
    writes:
      description: POSTs that changed an enrollment.
      type: int
      sample: 1
    throttled:
      description: HTTP 429 answers met (and waited out).
      type: int
      sample: 0
    waited_seconds:
      description: Seconds spent pacing and waiting for the throttle.
      type: float
      sample: 0.0
    read_strategy:
      description: V(staff_list) or V(per_enrollment).
      type: str
      sample: staff_list
cause:
  description:
    - Machine-readable reason of a failure, for example C(bad_option), C(unknown_user), C(unknown_course),
      C(unavailable_mode), C(not_allowed), C(not_applied), C(rate_limited), C(token_refused).
  returned: failure
  type: str
  sample: unknown_user
applied:
  description: On a failure during the writes, the entries already applied.
  returned: failure
  type: list
  elements: dict
pending:
  description: On a failure during the writes, the entries not applied (the failing one first).
  returned: failure
  type: list
  elements: dict
"""

from ansible.module_utils.edx_provision.http.enrollments import (
    EnrollmentApi,
    count_429s_ourselves,
    enrollment_argument_spec,
    ensure_enrollments,
)
from ansible.module_utils.edx_provision.http.module import EdxModule
from ansible.module_utils.edx_provision.http.session import (
    EdxHttpError,
    http_argument_spec,
    module_lms_url,
    session_from_params,
)


def main():
    module = EdxModule(
        argument_spec=dict(http_argument_spec(), **enrollment_argument_spec()),
        required_one_of=[("token", "api_key")],
        supports_check_mode=True,
    )
    params = module.params
    lms_url = module_lms_url(module)
    if params["throttle_timeout"] < 0 or params["request_timeout"] <= 0:
        module.fail_json(
            msg="throttle_timeout must be 0 or more and request_timeout more than 0 seconds", cause="bad_option"
        )
    if params["requests_per_minute"] is not None and params["requests_per_minute"] < 0:
        module.fail_json(msg="requests_per_minute must be 0 (no pacing) or more", cause="bad_option")
    try:
        api = EnrollmentApi(
            count_429s_ourselves(session_from_params(params)),
            lms_url,
            token=params["token"],
            token_type=params["token_type"],
            api_key=params["api_key"],
            per_minute=params["requests_per_minute"],
            throttle_timeout=params["throttle_timeout"],
            request_timeout=params["request_timeout"],
        )
        result = ensure_enrollments(
            api,
            params["enrollments"],
            check_mode=module.check_mode,
            diff=module._diff,
            check_users=params["check_users"],
        )
    except EdxHttpError as exc:
        details = exc.result()
        details.setdefault("changed", False)
        module.fail_json(msg=exc.msg, **details)
    for warning in result.pop("warnings", []):
        module.warn(warning)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
