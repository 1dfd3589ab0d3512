# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""edx_token's options, and its `method: direct` on the controller: a bearer token made inside the LMS.

The token's value is chosen here, sent to the LMS in the request on stdin (edx_access's entry point,
with a token and nothing else), and never read back: the LMS answers with the token's description.
Cache and result are the same as for `method: endpoint` (http/token_flow.py); check mode makes no token (the
action plugin skips the task after checking its options).
"""

import secrets

from ..http.session import EdxHttpError
from ..http.token_cache import token_record
from ..http.token_endpoint import scope_text
from .access_options import token_request
from .input import CLIENT_ID, check_pattern
from .runner import LmsRunner


def direct_request(params, value, check_mode):
    """The LMS request for a token of `value`, every option checked first; EdxHttpError (bad_option) names
    the option, before the cache is read or the LMS starts."""
    refusals = []
    if params["token_type"] == "jwt":
        refusals.append(
            "token_type jwt needs method endpoint: the LMS signs JWTs in its token view. Use token_type bearer "
            "with method direct."
        )
    refusals += [
        "%s is not used with method direct (the token is made inside the LMS): leave it out." % option
        for option in ("client_secret", "password")
        if params[option] is not None
    ]
    wanted = dict(client_id=params["client_id"], value=value, username=params["username"])
    wanted.update(scope=scope_text(params["scope"]).split(), expires_in=params["expires_in"])
    try:
        check_pattern(params, "client_id", CLIENT_ID, "1 to 100 printable ASCII characters without spaces")
        # backend dot: the token is a django-oauth-toolkit one, whatever back end holds the LMS's clients.
        token = token_request({"direct_tokens": [wanted], "backend": "dot"})
    except ValueError as exc:
        refusals.append(str(exc).replace("direct_tokens[0].", ""))
    if refusals:
        raise EdxHttpError(refusals[0], cause="bad_option")
    return dict(token, check_mode=check_mode, users=[], clients=[])


def direct_minter(host, params, check_mode):
    """A minter for token_flow.obtain_token that makes the token inside the LMS started on `host`; the
    request is built (and so checked) at once."""
    value = secrets.token_urlsafe(30)  # 40 characters of [A-Za-z0-9_-]
    request = direct_request(dict(params, where=""), value, check_mode)

    def mint_direct(params, lms_url, now, timings):
        del lms_url, timings
        made = LmsRunner(params, host).run("ensure_access", request)["tokens"][0]
        return token_record(value, "bearer", made["expires_in"], made["scope"], now=now)

    return mint_direct
