# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets hidden from results and messages without garbling the words around them.

Ansible's own masking replaces every substring equal to a no_log value, so a refused two-letter secret
`ab` turns "printable" into "print********le". Every secret this toolkit accepts is at least
SUBSTRING_MIN characters long (passwords 8, client secrets 16, tokens 32), so a shorter value is one
being refused: it is hidden where it stands whole (an option's value), not inside other words. Longer
values are hidden wherever they appear, as Ansible does. Used by the action plugin and by the modules'
exit_json/fail_json (http/module.py); both sides import it, so it imports nothing of ours.
"""

WHOLE_MARK = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"  # what Ansible shows for a no_log option's value
SUBSTRING_MARK = "********"
SUBSTRING_MIN = 8


def substring_secrets(secrets):
    """The secrets long enough to be hidden inside other text, longest first (a secret inside another)."""
    return sorted((s for s in secrets if len(s) >= SUBSTRING_MIN), key=len, reverse=True)


def mask_secrets(value, secrets):
    """`value` (str, dict, list, tuple, nested) with every secret in `secrets` hidden; other types as they are."""
    secrets = {str(s) for s in secrets if s not in (None, "")}
    return _mask(value, secrets, substring_secrets(secrets))


def _mask(value, whole, inside):
    if isinstance(value, str):
        if value in whole:
            return WHOLE_MARK
        for secret in inside:
            value = value.replace(secret, SUBSTRING_MARK)
        return value
    if isinstance(value, dict):
        return {_mask(k, whole, inside): _mask(v, whole, inside) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_mask(item, whole, inside) for item in value)
    return value
