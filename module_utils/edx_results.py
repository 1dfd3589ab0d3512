"""Shape what LMS-side modules return: per-resource entries, `changed`, and Ansible diffs.

The in-LMS programs report one plan per resource (action, changes, before, after). Secrets never
travel back; a changed secret is shown in the diff as a marker, never as a value.
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
        header = "%s %s" % (kind, plan[name_key])
        diffs.append({
            "before_header": header + (" (absent)" if plan["before"] is None else ""),
            "after_header": header + (" (absent)" if plan["after"] is None else ""),
            "before": before,
            "after": after,
        })
    return diffs


def module_result(plans, list_key, diff, kind, name_key, secret_props=()):
    """The module's result: changed, the per-resource entries, and the diff when asked."""
    result = {
        "changed": any(plan["action"] != "none" for plan in plans),
        list_key: plans,
    }
    if diff:
        result["diff"] = diff_entries(plans, kind, name_key, secret_props)
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
    """How an option is named in messages: `email`, or `users[2].email` for a list entry."""
    return "%s.%s" % (item["where"], option) if item["where"] else option
