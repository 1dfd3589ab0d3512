# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Names and formats both controller sides share: OAuth2 grant and client types, times in results.

The controller's own definitions; the in-LMS program gets what it needs in the request.
"""

from datetime import datetime, timezone

# The grant and client types the toolkit speaks, in OAuth2's spelling.
GRANT_TYPES = ("client_credentials", "password", "authorization_code", "implicit")
CLIENT_TYPES = ("confidential", "public")


def dot_grant(grant_type):
    """django-oauth-toolkit spells grant types with hyphens (client-credentials); OAuth2 with underscores."""
    return grant_type.replace("_", "-")


def iso_utc(epoch):
    """ISO 8601 in UTC with a Z, to the second: 2026-01-31T12:00:00Z."""
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
