#!/usr/bin/python
# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ansible module edx_api_check: prove an Open edX LMS's enrollment API answers a token."""

DOCUMENTATION = r"""
module: edx_api_check
short_description: Check that an Open edX LMS is up and its enrollment API accepts a token
description:
  - Waits until C({lms_url}/heartbeat) answers HTTP 200, then calls
    C(GET {lms_url}/api/enrollment/v1/enrollment) with the token and returns the enrollments of the
    token's user. Runs on the host the module runs on (normally the controller).
  - Connection errors, heartbeat failures and HTTP 429, 502, 503 and 504 answers of the API are
    retried with exponential backoff (0.5 s doubling up to 5 s) until O(timeout) seconds have passed.
  - Redirects are followed only while they stay on the scheme, host and port of O(lms_url) (at most 5).
    A redirect elsewhere fails naming its target, and the token is never sent there.
  - A token with whitespace, a line break or a non-ASCII character is refused before any request,
    without being shown.
  - Failures name their cause and the fix, for example HTTP 401 (why the token was refused, such as
    expired, unknown, a JWT sent with the wrong prefix, a signature that does not verify), 403, 404 (O(lms_url)
    does not point at the LMS), TLS errors, timeouts and refused connections.
  - Never changes anything; always reports C(changed=false). Suitable as a CI gate or a scheduled check.
  - Without O(token), checks only that O(lms_url) reaches the LMS, in the heartbeat (see O(wait_for_heartbeat))
    and then the enrollment API, which must ask for credentials (HTTP 401). A wrong host, port or path, or
    another site, fails naming the cause. The role runs this before it changes anything on the LMS.
options:
  token:
    description:
      - The access token, for example the C(token) returned by M(edx_token).
      - Left out, only O(lms_url) is checked (see above); O(expect_staff) and O(expect_username) need a token.
    type: str
  token_type:
    description:
      - "How to send the token. V(bearer) sends C(Authorization: Bearer <token>), V(jwt) sends
        C(Authorization: JWT <token>) (the prefix the LMS's JWT authentication reads)."
      - Left out, a token shaped like a JWT (three base64url parts with a JSON header) is sent as
        V(jwt), anything else as V(bearer).
    type: str
    choices: [bearer, jwt]
  timeout:
    description:
      - Seconds to keep waiting for the heartbeat and retrying the API call, in total.
      - Each single request is also bounded by O(request_timeout).
    type: float
    default: 60
  wait_for_heartbeat:
    description:
      - Wait for C(/heartbeat) to answer HTTP 200 before calling the API.
      - Set V(false) when a proxy does not pass C(/heartbeat) through.
    type: bool
    default: true
  expect_staff:
    description:
      - Also ask the enrollment API (C(roles/)) whether the token's user is global staff, and fail when
        that differs from this value (drift made on the LMS since it was provisioned). Left out, not asked.
      - An LMS before 2019 (Ginkgo) has no C(roles/). There the C(administrator) claim of the token is read
        when it is a JWT, which the LMS has just accepted; the claim says what the user was when the token was
        issued, so pass a token minted for the check (the role mints one for every check). With a bearer token
        the check is skipped with a warning (RV(is_staff) is null). On such an LMS staff gives no right to
        enroll others, the API key does.
      - When C(roles/) answers anything else (for example HTTP 500), the check fails with cause
        C(staff_lookup_failed), saying that the enrollment API itself answered 200.
    type: bool
  expect_username:
    description:
      - Also prove that the token acts as this user, and fail naming the user it acts as otherwise (cause
        C(wrong_user)), for example when its OAuth2 client was moved to another user by hand (a
        client-credentials token acts as its client's owner). Left out, not checked.
      - A JWT is read (its C(preferred_username) claim; the LMS has just accepted it). Any other token is
        looked up at C(GET /api/user/v1/me). On an LMS without that endpoint the check is skipped with a
        warning (RV(username) is null).
      - Checked before O(expect_staff).
    type: str
extends_documentation_fragment:
  - edx_http
  - action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Runs the same read-only requests in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - Plain C(/heartbeat) is used, not C(/heartbeat?extended), which also fails on Celery trouble while
    the LMS serves requests fine.
  - The enrollment list is limited to 40 requests a minute per user (120 for staff) by the LMS.
seealso:
  - module: edx_token
author:
  - edx-provision maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Mint a token
  edx_token:
    lms_url: https://lms.example.com
    client_id: "{{ vault_edx_client_id }}"
    client_secret: "{{ vault_edx_client_secret }}"
    token_type: jwt
  delegate_to: localhost
  register: edx_token_result

- name: The LMS is up and its enrollment API accepts the token
  edx_api_check:
    lms_url: https://lms.example.com
    token: "{{ edx_token_result.token }}"
    token_type: "{{ edx_token_result.token_type }}"
    timeout: 300
  delegate_to: localhost
  register: edx_api

- name: Show what the API answered
  ansible.builtin.debug:
    msg: "{{ edx_api.enrollments | length }} enrollments, API answered in {{ edx_api.timings.api_seconds }} s"

- name: Before changing anything, lms_url reaches the LMS (no token needed)
  edx_api_check:
    lms_url: https://lms.example.com
  delegate_to: localhost

- name: Behind a proxy that hides /heartbeat, with a private CA
  edx_api_check:
    lms_url: https://lms.internal
    ca_path: /etc/pki/internal-ca.pem
    token: "{{ edx_token_result.token }}"
    wait_for_heartbeat: false
  delegate_to: localhost
"""

RETURN = r"""
is_staff:
  description:
    - Whether the token's user is global staff, as the LMS's C(roles/) endpoint (or, without it, the JWT's
      C(administrator) claim) says; null when neither could tell (see O(expect_staff)).
  returned: success, when O(expect_staff) is given
  type: bool
username:
  description:
    - The user the token acts as (see O(expect_username)); null when it could not be told.
  returned: success, when O(expect_username) is given
  type: str
  sample: enrollment-api
status:
  description:
    - HTTP status of the last answer (of the enrollment API, or of the heartbeat when that failed); 401
      without O(token).
  returned: success, and failures where the LMS answered
  type: int
  sample: 200
enrollments:
  description:
    - The enrollment API's answer, one object per enrollment of the token's user (C(created),
      C(mode), C(is_active), C(user), C(course_details)).
  returned: success, with O(token)
  type: list
  elements: dict
  sample: []
url:
  description:
    - The URL that was called last.
  returned: always, except when an option is invalid
  type: str
  sample: https://lms.example.com/api/enrollment/v1/enrollment
token_type:
  description:
    - How the token was sent, V(bearer) or V(jwt).
  returned: success, with O(token)
  type: str
  sample: jwt
heartbeat:
  description:
    - >-
      The heartbeat's JSON answer (for example C({"sql": {"status": true, "message": "OK"}})), or
      V(null) when it was not JSON or O(wait_for_heartbeat=false).
  returned: success
  type: dict
timings:
  description:
    - How long each phase took and how many requests it needed.
  returned: always, except when an option is invalid
  type: dict
  contains:
    heartbeat_seconds:
      description: Seconds spent waiting for the heartbeat.
      type: float
      returned: always
      sample: 0.012
    heartbeat_attempts:
      description: Heartbeat requests made (0 with O(wait_for_heartbeat=false)).
      type: int
      returned: always
      sample: 1
    api_seconds:
      description: Seconds spent calling the enrollment API, retries included.
      type: float
      returned: always
      sample: 0.034
    api_attempts:
      description: Enrollment API requests made.
      type: int
      returned: always
      sample: 1
    total_seconds:
      description: Seconds for the whole check.
      type: float
      returned: always
      sample: 0.05
cause:
  description:
    - Machine-readable reason of a failure, for example C(token_refused), C(forbidden), C(not_found),
      C(unhealthy), C(tls), C(connection_refused), C(connect_timeout), C(read_timeout), C(redirect),
      C(bad_option), C(missing_library), C(wrong_user), C(drift), C(username_lookup_failed),
      C(staff_lookup_failed).
  returned: failure
  type: str
  sample: token_refused
detail:
  description:
    - The LMS's own explanation from the answer's body (C(detail) or C(developer_message)), when given.
  returned: failure
  type: str
  sample: Authentication credentials were not provided.
error_code:
  description:
    - The LMS's C(error_code) for a refused token, for example C(token_expired), C(token_nonexistent).
  returned: failure
  type: str
  sample: token_expired
"""

from ansible.module_utils.edx_provision.http.module import EdxModule
from ansible.module_utils.edx_provision.http.probe import check_api, probe_argument_spec
from ansible.module_utils.edx_provision.http.session import (
    EdxHttpError,
    http_argument_spec,
    insecure_transport_warning,
    module_lms_url,
    session_from_params,
)


def main():
    module = EdxModule(argument_spec=dict(http_argument_spec(), **probe_argument_spec()), supports_check_mode=True)
    params = module.params
    lms_url = module_lms_url(module)
    if params["timeout"] <= 0 or params["request_timeout"] <= 0:
        module.fail_json(msg="timeout and request_timeout must be more than 0 seconds", cause="bad_option")
    warning = insecure_transport_warning(lms_url, params["validate_certs"])
    if warning and params["token"] is not None:  # without a token no credential travels
        module.warn(warning)
    try:
        # The deadline loop does the retrying, so the session itself does not.
        session = session_from_params(params, retries=0)
        result = check_api(
            session,
            lms_url,
            params["token"],
            token_type=params["token_type"],
            timeout=params["timeout"],
            request_timeout=params["request_timeout"],
            wait_for_heartbeat=params["wait_for_heartbeat"],
            expect=dict(username=params["expect_username"], is_staff=params["expect_staff"]),
        )
    except EdxHttpError as exc:
        module.fail_json(msg=exc.msg, changed=False, **exc.result())
    for warning in result.pop("warnings"):
        module.warn(warning)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
