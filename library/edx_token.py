#!/usr/bin/python
# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ansible module edx_token: mint (or reuse from a cache file) an Open edX LMS access token."""

DOCUMENTATION = r"""
module: edx_token
short_description: Mint an access token for an Open edX LMS OAuth2 application
description:
  - With O(method=endpoint) (the default), mints an access token by posting to the LMS's token endpoint
    C({lms_url}/oauth2/access_token) from the host the module runs on (normally the controller, with
    C(delegate_to) set to C(localhost)).
  - With O(method=direct), creates a bearer token of O(expires_in) seconds inside the LMS (the manual
    recipe's Django-admin path), through one C(manage.py shell) process started on the task's host over
    its connection, like M(edx_access). The task itself runs on the controller (the action plugin), so
    the LMS host needs no Python for Ansible. The token's value is chosen on the controller and never
    travels back from the LMS. This works even when the LMS's OAuth2 endpoints are off, and needs no
    client secret.
  - Supports the client credentials grant and the password grant, opaque bearer tokens and JWTs.
  - The client authenticates with O(client_id) in the form body and O(client_secret) only in an HTTP Basic
    header, so the secret stays out of the body the LMS's tracking log records. Django-oauth-toolkit and
    Ginkgo's django-oauth2-provider both accept it; a django-oauth2-provider client whose id or secret holds
    C(%), C(+) or C(:) cannot authenticate there (it does not decode the header).
  - Failures name their cause and the fix, for example a wrong O(client_id) or O(client_secret), a
    wrong O(username) or O(password), a grant type the application does not allow, an LMS whose
    OAuth2 provider is off (C(FEATURES['ENABLE_OAUTH2_PROVIDER'])), TLS and connection problems.
  - With O(method=endpoint), the module first waits until C({lms_url}/heartbeat) answers HTTP 200
    (O(wait_for_heartbeat)), then posts the token request, retrying connection errors and HTTP 502, 503
    and 504 with backoff; waiting and retrying share one deadline, O(timeout). A heartbeat HTTP 503 is
    reported with the checks it says failed.
  - Redirects are never followed; a redirect is reported with its target, and the client secret is
    never sent there.
  - With O(cache_path), a token is kept in a private file and reused while more than O(min_ttl)
    seconds of its lifetime remain, and only with the same credentials it was minted with. Before a
    cached token is returned, one GET of C({lms_url}/api/enrollment/v1/enrollment) proves the LMS still
    accepts it; one the LMS refuses with HTTP 401 (revoked, signed with a rotated JWT key, or expired by the
    LMS's clock) is dropped from the cache and a new one minted, once, with a warning.
  - The module changes no configuration and always reports C(changed=false).
  - Because the result holds the token, Ansible's output hides it (as with C(no_log)) even with
    C(-vvv); O(client_secret) and O(password) are never shown either. Register the result to use the token.
    Ansible itself prints module arguments and results with E(ANSIBLE_DEBUG=1) and keeps them on disk with
    E(ANSIBLE_KEEP_REMOTE_FILES=1); do not use those with real credentials.
options:
  method:
    description:
      - V(endpoint) asks the LMS's token endpoint over HTTP; V(direct) creates the token inside the LMS
        with the O(runner) options.
    type: str
    choices: [endpoint, direct]
    default: endpoint
  lms_url:
    description:
      - Root URL of the LMS, for example V(https://lms.example.com); no path. Required with
        O(method=endpoint); with O(method=direct) it keys the cache and proves a cached token (see O(cache_path)).
    type: str
    required: false
  client_id:
    description:
      - Client id of the LMS's OAuth2 application.
    type: str
    required: true
  client_secret:
    description:
      - Client secret of the application.
      - Required with O(grant_type=client_credentials); with O(grant_type=password) it may be left
        out for a public application. Refused with O(method=direct), which does not use it.
    type: str
  grant_type:
    description:
      - V(client_credentials) gets a token for the application's owner, V(password) one for O(username).
      - The application's own grant type must allow it (C(client-credentials) or C(password)), otherwise
        the LMS answers C(unauthorized_client).
    type: str
    choices: [client_credentials, password]
    default: client_credentials
  username:
    description:
      - The user to get a token for, with O(grant_type=password). The LMS also accepts the e-mail address.
      - With O(method=direct), the user the token belongs to; defaults to the application's owner.
    type: str
  password:
    description:
      - The password of O(username), with O(grant_type=password). Refused with O(method=direct).
    type: str
  token_type:
    description:
      - "V(bearer) asks for an opaque token (sent as C(Authorization: Bearer ...))."
      - "V(jwt) asks for a signed JWT (posts C(token_type=jwt); sent as C(Authorization: JWT ...)).
        Restricted applications only hand out usable tokens as JWTs. Needs O(method=endpoint)."
    type: str
    choices: [bearer, jwt]
    default: bearer
  scope:
    description:
      - Scopes to ask for, as a list or a space- or comma-separated string, for example C([read, email]).
      - The LMS grants its default scopes (read write email profile) plus those allowed for the
        application; others give C(invalid_scope). Left out, the LMS chooses.
    type: list
    elements: str
  cache_path:
    description:
      - File that keeps tokens between runs, on the host that runs the module (with O(method=direct), on
        the controller). Created with mode
        0600 (its directory with 0700 when missing) and replaced atomically.
      - One file holds several tokens, each keyed by O(lms_url), O(client_id), O(grant_type),
        O(username), O(token_type) and O(scope). A cached token is returned with RV(cached=true).
      - Each token is bound to the credentials it was minted with by an HMAC-SHA256 of O(client_secret)
        and O(password) under a random key kept in the file (the secrets themselves are never stored); a
        token minted with other credentials is not reused.
      - A symbolic link, another user's file or anything but a regular file at this path is refused. A
        file or folder other users may read or write gives a warning. Writers lock the file
        (C(cache_path.lock)), so parallel runs keep each other's tokens.
      - The file holds live tokens; keep it out of version control and shared directories.
    type: path
  cache_reuse:
    description:
      - With V(false), a token is always minted, even when O(cache_path) holds a valid one; the new token
        still replaces the cached one. Use it where a task must prove that the credentials work now (the
        role's C(verify) entry point does).
    type: bool
    default: true
  min_ttl:
    description:
      - A cached token is reused only while more than this many seconds of its lifetime remain;
        otherwise a new one is minted and cached.
    type: int
    default: 300
  expires_in:
    description:
      - Lifetime in seconds of a token made with O(method=direct), from 1 to 315360000 (ten years). The LMS's own
        bearer tokens last 36000.
    type: int
    default: 36000
  wait_for_heartbeat:
    description:
      - With O(method=endpoint), wait for C(/heartbeat) to answer HTTP 200 before asking for the token,
        so an LMS that is still starting is waited for rather than reported down.
      - Set V(false) when a proxy does not pass C(/heartbeat) through. Not used for a cached token.
    type: bool
    default: true
  timeout:
    description:
      - With O(method=endpoint), seconds to wait for the heartbeat and to retry the token request, in total.
      - Each single request is also bounded by O(request_timeout).
    type: float
    default: 60
extends_documentation_fragment:
  - edx_http
  - edx_lms
  - action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - With O(method=endpoint), check mode mints a token too (the LMS's token endpoint records it, as for
        any client; it changes no configuration), so later tasks can use it. The cache file is read but not
        written.
      - With O(method=direct), check mode checks the options and is skipped, making no token (a direct token
        would be a row this toolkit writes in the LMS's database).
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - The token endpoint accepts the token request with or without a trailing slash and only as a
    form-encoded POST; the module does exactly that.
  - The LMS rate-limits the token endpoint per client IP; O(cache_path) avoids a mint per run.
  - The action plugin of the same name hides the task result from output and runs O(method=direct); keep it
    next to the module (C(action_plugins) in C(ansible.cfg)). Without it, O(method=direct) fails saying so, but
    O(method=endpoint) runs as a plain module whose result, token included, C(-v) shows.
seealso:
  - module: edx_api_check
author:
  - edx-provision maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Mint a JWT for the service application
  edx_token:
    lms_url: https://lms.example.com
    client_id: "{{ vault_edx_client_id }}"
    client_secret: "{{ vault_edx_client_secret }}"
    token_type: jwt
  delegate_to: localhost
  register: edx_token_result

- name: Use it
  ansible.builtin.uri:
    url: https://lms.example.com/api/enrollment/v1/enrollment
    headers:
      Authorization: "JWT {{ edx_token_result.token }}"
  delegate_to: localhost
  no_log: true

- name: Password grant, token reused across runs
  edx_token:
    lms_url: https://lms.example.com
    client_id: mobile-app
    client_secret: "{{ vault_mobile_secret }}"
    grant_type: password
    username: svc-enrollments
    password: "{{ vault_svc_password }}"
    scope: [read, email]
    cache_path: "~/.cache/edx-provision/tokens.json"
    min_ttl: 600
  delegate_to: localhost
  register: edx_token_result

- name: A token made inside the LMS (its OAuth2 endpoints are off), valid for an hour
  edx_token:
    method: direct
    client_id: enrollment-bot
    expires_in: 3600
  become: true
  become_user: www-data
  register: edx_token_result

- name: An LMS with a certificate from a private CA
  edx_token:
    lms_url: https://lms.internal
    ca_path: /etc/pki/internal-ca.pem
    client_id: "{{ vault_edx_client_id }}"
    client_secret: "{{ vault_edx_client_secret }}"
  delegate_to: localhost
  register: edx_token_result
"""

RETURN = r"""
token:
  description:
    - The access token. Hidden from Ansible's output; use it through the registered variable.
  returned: success
  type: str
token_type:
  description:
    - "V(bearer) for an opaque token (send C(Authorization: Bearer <token>)), V(jwt) for a JWT
      (send C(Authorization: JWT <token>)). Taken from the LMS's answer and the token's shape."
  returned: success
  type: str
  sample: jwt
expires_in:
  description:
    - Seconds the token is still valid for; for a cached token, what remains of its lifetime.
    - V(null) when the LMS did not say.
  returned: success
  type: int
  sample: 3600
expires_at:
  description:
    - When the token expires, ISO 8601 in UTC. V(null) when the LMS did not say.
  returned: success
  type: str
  sample: "2026-01-31T12:00:00Z"
scope:
  description:
    - The scopes granted, space-separated, as the LMS reported them.
  returned: success
  type: str
  sample: read write email profile
cached:
  description:
    - V(true) when the token came from O(cache_path) instead of the LMS.
  returned: success
  type: bool
  sample: false
timings:
  description:
    - How long each phase took and how many requests it needed (only C(cache_check) for a cached token;
      all zero for O(method=direct)).
  returned: success, and failures of method endpoint while waiting or minting
  type: dict
  contains:
    cache_check_seconds:
      description: Seconds spent asking the LMS whether it still accepts the cached token.
      type: float
      returned: always
      sample: 0.01
    cache_check_attempts:
      description: Requests made to prove a cached token (1, or 0 without one or without O(lms_url)).
      type: int
      returned: always
      sample: 1
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
    token_seconds:
      description: Seconds spent on the token request, retries included.
      type: float
      returned: always
      sample: 0.05
    token_attempts:
      description: Token requests made.
      type: int
      returned: always
      sample: 1
    total_seconds:
      description: Seconds for the whole call.
      type: float
      returned: always
      sample: 0.07
cause:
  description:
    - Machine-readable reason of a failure, for example C(invalid_client), C(invalid_grant),
      C(unauthorized_client), C(invalid_scope), C(oauth2_disabled), C(insecure_connection),
      C(connection_refused), C(tls), C(connect_timeout), C(read_timeout), C(redirect), C(unhealthy)
      (the heartbeat), C(cache_unsafe), C(bad_option), C(missing_library).
  returned: failure
  type: str
  sample: invalid_client
status:
  description:
    - HTTP status of the token endpoint's answer.
  returned: failure, when the LMS answered
  type: int
  sample: 401
error:
  description:
    - The OAuth2 C(error) code from the token endpoint's answer.
  returned: failure, when the answer carried one
  type: str
  sample: invalid_client
error_description:
  description:
    - The OAuth2 C(error_description) from the token endpoint's answer.
  returned: failure, when the answer carried one
  type: str
  sample: Invalid credentials given.
url:
  description:
    - The URL that was called.
  returned: failure
  type: str
  sample: https://lms.example.com/oauth2/access_token
"""

from ansible.module_utils.edx_provision.http.module import EdxModule
from ansible.module_utils.edx_provision.http.session import EdxHttpError, require_requests
from ansible.module_utils.edx_provision.http.token_flow import (
    TOKEN_REQUIRED_IF,
    mint_endpoint,
    obtain_token,
    token_argument_spec,
)
from ansible.module_utils.edx_provision.lms_options import NO_ACTION_PLUGIN


def main():
    module = EdxModule(argument_spec=token_argument_spec(), required_if=TOKEN_REQUIRED_IF, supports_check_mode=True)
    if module.params["method"] == "direct":
        module.fail_json(msg=NO_ACTION_PLUGIN % "edx_token with method direct")
    require_requests(module)
    try:
        result = obtain_token(module.params, module.check_mode, module.warn, mint_endpoint)
    except EdxHttpError as exc:
        module.fail_json(msg=exc.msg, **exc.result())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
