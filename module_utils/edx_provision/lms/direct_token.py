# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""edx_token's options, and its `method: direct` on the controller: a bearer token made inside the LMS.

The token's value is chosen here, sent to the LMS in the request on stdin (edx_access's entry point,
with a token and nothing else), and never read back: the LMS answers with the token's description.
Cache, check mode and result are the same as for `method: endpoint` (http/token_flow.py).
"""

import secrets

from ..http.session import http_argument_spec
from ..http.token_cache import token_record
from ..http.token_endpoint import endpoint_argument_spec, scope_text
from .access_options import token_request
from .runner import LMS_REQUIRED_IF, LmsError, LmsRunner, lms_argument_spec

TOKEN_REQUIRED_IF = LMS_REQUIRED_IF + [("method", "endpoint", ["lms_url"])]


def token_argument_spec():
    """edx_token's whole argument spec, read by its module file and by the action plugin."""
    spec = http_argument_spec()
    spec.update(endpoint_argument_spec())
    spec.update(lms_argument_spec())
    spec.update(
        method=dict(type="str", default="endpoint", choices=["endpoint", "direct"]),
        lms_url=dict(type="str"),
        cache_path=dict(type="path"),
        cache_reuse=dict(type="bool", default=True),
        min_ttl=dict(type="int", default=300),
        expires_in=dict(type="int", default=36000),
        wait_for_heartbeat=dict(type="bool", default=True),
        timeout=dict(type="float", default=60),
    )
    return spec


def direct_minter(host, check_mode):
    """A minter for token_flow.obtain_token that makes the token inside the LMS started on `host`."""

    def mint_direct(params, lms_url, now, timings):
        del lms_url, timings
        if params["token_type"] == "jwt":
            raise LmsError(
                "token_type jwt needs method endpoint: the LMS signs JWTs in its token view. "
                "Use token_type bearer with method direct."
            )
        if params["expires_in"] <= 0:
            raise LmsError("expires_in must be a positive number of seconds, got %s." % params["expires_in"])
        value = secrets.token_urlsafe(30)  # 40 characters of [A-Za-z0-9_-]
        wanted = dict(client_id=params["client_id"], value=value, username=params["username"])
        wanted.update(scope=scope_text(params["scope"]).split(), expires_in=params["expires_in"])
        try:
            # backend dot: the token is a django-oauth-toolkit one, whatever back end holds the LMS's clients.
            token = token_request({"direct_tokens": [wanted], "backend": "dot"})
        except ValueError as exc:
            raise LmsError(str(exc).replace("direct_tokens[0].", "")) from None
        request = dict(token, check_mode=check_mode, users=[], clients=[])
        made = LmsRunner(params, host).run("ensure_access", request)["tokens"][0]
        return token_record(value, "bearer", made["expires_in"], made["scope"], now=now)

    return mint_direct
