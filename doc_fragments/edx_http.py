# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Documentation of the HTTP options shared by the controller-side modules (edx_token, edx_api_check).

Matches http_argument_spec() in module_utils/edx_provision/http/session.py option for option.
"""


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  lms_url:
    description:
      - Base URL of the LMS, for example V(https://lms.example.com) or V(http://127.0.0.1:18000).
      - The module adds the paths itself (C(/oauth2/access_token), C(/heartbeat),
        C(/api/enrollment/v1/enrollment)); a URL that already ends in one of them is refused.
      - Use the address the LMS answers on directly. The token request never follows a redirect; the API
        check follows one only on the same scheme, host and port. A redirect elsewhere fails naming its
        target, and no secret or token is sent there.
      - A URL with credentials in it (V(https://user:pass@lms.example.com)) is refused without being shown.
      - A plain V(http://) URL to a host other than this machine gives a warning, as secrets and tokens
        would travel in clear.
    type: str
    required: true
  validate_certs:
    description:
      - Verify the LMS's TLS certificate.
      - Set O(ca_path) for an LMS whose certificate comes from a private CA; V(false) is for
        throw-away test LMSs only, and gives a warning for an V(https://) O(lms_url).
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle (a PEM file or a directory prepared with C(c_rehash)) used instead of the system
        CAs to verify the LMS's certificate.
      - Ignored when O(validate_certs=false).
    type: path
  request_timeout:
    description:
      - Seconds to wait for each HTTP request to connect and to answer.
      - Connection errors and HTTP 502, 503 and 504 answers are retried with backoff.
    type: float
    default: 10
requirements:
  - requests (Python library) on the host that runs the module, usually the controller
"""
