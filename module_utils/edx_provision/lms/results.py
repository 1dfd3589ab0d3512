# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shape what LMS-side modules return: per-resource entries, `changed`, and Ansible diffs (`diffs`).

The in-LMS programs report one plan per resource (action, changes, before, after). Secrets never
travel back; a changed secret is shown in the diff as a marker, never as a value.
"""

from collections import namedtuple

from ..diffs import diff_entries

# One kind of LMS resource as the modules handle it: the list it travels in (`users`), how the diff
# names one (`user` + its `username`), which properties are secrets, and how its request is built
# and checked from the module's parameters before the LMS starts.
ResourceKind = namedtuple("ResourceKind", "list_key kind name_key secret_props build_request")


def module_result(answer, kinds, diff):
    """The module's result: changed, the per-resource entries of every kind, and the diff when asked."""
    result = {"changed": any(plan["action"] != "none" for kind in kinds for plan in answer[kind.list_key])}
    diffs = []
    for kind in kinds:
        result[kind.list_key] = answer[kind.list_key]
        diffs += diff_entries(answer[kind.list_key], kind.kind, kind.name_key, kind.secret_props)
    if diff:
        result["diff"] = diffs
    return result


def select_items(params, list_key, item_options, inherited=()):
    """The resources a call is about: the `list_key` list, or one built from the top-level options.

    Each entry gets `where`, the name under which its options appear in messages (`users[1]`, or
    '' for the single form). Options in `inherited` (e.g. state) fall back to the top-level value.
    """
    if params.get(list_key) is not None:
        items = []
        for index, entry in enumerate(params[list_key]):
            item = {option: entry.get(option) for option in item_options}
            for option in inherited:
                if item.get(option) is None:
                    item[option] = params[option]
            item["where"] = "%s[%d]" % (list_key, index)
            items.append(item)
        return items
    item = {option: params.get(option) for option in item_options}
    item["where"] = ""
    return [item]


def option_name(item, option):
    """How an option is named in messages: `email`, or `users[2].email` for a list entry (as in the LMS)."""
    return "%s.%s" % (item["where"], option) if item["where"] else option
