# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of user-given text before the LMS starts: full matches, lengths from the LMS's fields.

Every check names the option (`users[2].email`) and says what a valid value looks like. Patterns
are matched whole (re.fullmatch), so a trailing newline never slips through as it does with `$`.
Values are echoed cut short, so a huge bad input does not flood the output.
"""

import re

from .results import option_name

# edx usernames: ASCII letters, digits and _ . @ + - (edx's USERNAME_REGEX_PARTIAL; Django allows 150).
USERNAME = re.compile(r"[A-Za-z0-9_.@+-]{1,150}")
# An ASCII address with a dotted domain, or at localhost; Django's EmailField holds 254 characters.
EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}|localhost)"
)
EMAIL_MAX = 254
CLIENT_ID = re.compile(r"[\x21-\x7e]{1,100}")  # django-oauth-toolkit: client_id CharField(100)
SECRET = re.compile(r"[\x21-\x7e]{16,255}")  # client_secret CharField(255); short ones are guessable
SCOPE = re.compile(r"[\x21-\x2b\x2d-\x7e]{1,32}")  # ApplicationAccess.scopes: 25 items of 32 characters
SCOPES_MAX = 25
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[\x21-\x7e]+")
UNSAFE_SCHEMES = ("javascript", "data", "vbscript", "file")
PASSWORD_MIN = 8
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def shown(value, limit=60):
    """A bad value as messages show it: repr, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "... (%d characters)" % len(value)


def check_type(item, option, kind):
    value = item.get(option)
    if value is not None and not isinstance(value, kind):
        raise ValueError("%s must be a %s, got %s." % (option_name(item, option), kind.__name__, type(value).__name__))


def check_pattern(item, option, pattern, what):
    """Refuse item[option] unless the whole of it matches `pattern`; `what` describes a valid value."""
    value = item.get(option)
    if value is None:
        return
    check_type(item, option, str)
    if not pattern.fullmatch(value):
        hint = " It ends with a line break: remove it." if value.endswith("\n") else ""
        raise ValueError("%s %s is not valid: use %s.%s" % (option_name(item, option), shown(value), what, hint))


def check_label(item, option, maximum, value=None):
    """A free-text label (client name, group name): 1 to `maximum` characters, no control characters,
    no surrounding spaces."""
    value = item.get(option) if value is None else value
    if value is None:
        return
    if not isinstance(value, str):
        raise ValueError("%s must be a string, got %s." % (option_name(item, option), type(value).__name__))
    if not value or len(value) > maximum or CONTROL.search(value) or value != value.strip():
        raise ValueError(
            "%s %s is not valid: use 1 to %d characters, without line breaks, control characters or "
            "surrounding spaces." % (option_name(item, option), shown(value), maximum)
        )


def check_username(item, option="username"):
    check_pattern(item, option, USERNAME, "1 to 150 ASCII letters, digits and @ . + - _ (an LMS username)")


def check_email(item, option="email"):
    check_pattern(item, option, EMAIL, "one address such as name@example.com, in ASCII")
    if item.get(option) is not None and len(item[option]) > EMAIL_MAX:
        raise ValueError(
            "%s is %d characters long; the LMS holds at most %d."
            % (option_name(item, option), len(item[option]), EMAIL_MAX)
        )


def given_text(item, option, empty):
    """The option's text when given (None when left out); refuses another type and "" (`empty` says why)."""
    value = item.get(option)
    if value is None:
        return None
    check_type(item, option, str)
    if value == "":
        raise ValueError("%s is empty: %s" % (option_name(item, option), empty))
    return value


def check_password(item, option="password"):
    value = given_text(item, option, "leave it out to keep the user's current password, or give one.")
    if value is None:
        return
    if len(value) < PASSWORD_MIN or len(value) > 4096 or CONTROL.search(value):
        raise ValueError(
            "%s must be %d to 4096 characters without line breaks or control characters (a value read "
            "from a file often ends with a line break: strip it)." % (option_name(item, option), PASSWORD_MIN)
        )


def check_secret(item, option="client_secret"):
    empty = "leave it out to keep the current secret (or have one generated for a new client), or give one."
    value = given_text(item, option, empty)
    if value is None:
        return
    if not SECRET.fullmatch(value):
        raise ValueError(
            "%s must be 16 to 255 printable ASCII characters without spaces or line breaks (make one "
            "with `openssl rand -hex 32`)." % option_name(item, option)
        )


def check_redirect_uris(item, option="redirect_uris"):
    for uri in item.get(option) or []:
        check_type({"where": item["where"], option: uri}, option, str)
        if not URI.fullmatch(uri) or uri.split(":", 1)[0].lower() in UNSAFE_SCHEMES:
            raise ValueError(
                "%s holds %s, which is not an absolute http(s) URI (scheme://host/path, no spaces or "
                "line breaks; javascript:, data:, vbscript: and file: are refused)."
                % (option_name(item, option), shown(uri))
            )


def check_scopes(item, option="scopes"):
    scopes = item.get(option) or []
    for scope in scopes:
        if not isinstance(scope, str) or not SCOPE.fullmatch(scope):
            raise ValueError(
                "%s holds %s: a scope is one word of at most 32 printable characters, without spaces "
                "or commas." % (option_name(item, option), shown(scope))
            )
    if len(set(scopes)) != len(scopes):
        raise ValueError("%s lists a scope twice: list each once." % option_name(item, option))
    if len(scopes) > SCOPES_MAX:
        raise ValueError(
            "%s lists %d scopes; the LMS holds at most %d." % (option_name(item, option), len(scopes), SCOPES_MAX)
        )
