# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ansible diffs of resources, as every module that changes something shows them.

One before/after pair per resource that changes; a secret is never known to the module, so a changed
one shows as a marker.
"""

SECRET_MARK = "********"


def diff_entries(plans, kind, name_key, secret_props=()):
    """Ansible `diff` list: one before/after pair per resource that changes.

    `secret_props` are properties whose values are never known to the module (password,
    client_secret); when one of them changes the diff shows a marker instead.
    """
    diffs = []
    for plan in plans:
        if plan["action"] == "none":
            continue
        before = dict(plan["before"] or {})
        after = dict(plan["after"] or {})
        for prop in secret_props:
            if prop in plan["changes"]:
                if plan["before"] is not None:
                    before[prop] = SECRET_MARK
                after[prop] = SECRET_MARK + " (changed)" if plan["before"] is not None else SECRET_MARK
        if plan.get("removed_clients"):
            before["removed_with_it"] = ["OAuth2 client %s" % client_id for client_id in plan["removed_clients"]]
        header = "%s %s" % (kind, plan[name_key])
        diffs.append(
            {
                "before_header": header + (" (absent)" if plan["before"] is None else ""),
                "after_header": header + (" (absent)" if plan["after"] is None else ""),
                "before": before,
                "after": after,
            }
        )
    return diffs
