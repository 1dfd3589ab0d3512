"""Result and diff shaping: changed, one diff per changed resource, secrets only as markers."""

from ansible.module_utils.edx_results import diff_entries, module_result, select_items


def plan(action, changes, before, after, username="svc"):
    return {"username": username, "action": action, "changes": changes, "before": before, "after": after}


def test_a_changed_password_is_a_marker_and_unchanged_resources_have_no_diff():
    state = {"username": "svc", "is_staff": True}
    plans = [plan("update", ["password"], state, state), plan("none", [], state, state, username="other")]
    result = module_result(plans, "users", True, "user", "username", ("password",))
    assert result["changed"] is True and result["users"] == plans
    assert result["diff"] == [{
        "before_header": "user svc", "after_header": "user svc",
        "before": {"username": "svc", "is_staff": True, "password": "********"},
        "after": {"username": "svc", "is_staff": True, "password": "******** (changed)"},
    }]


def test_creation_and_removal_show_absent_sides():
    created = diff_entries([plan("create", ["state"], None, {"username": "new"}, "new")], "user", "username")
    assert created[0]["before"] == {} and created[0]["before_header"] == "user new (absent)"
    removed = diff_entries([plan("delete", ["state"], {"username": "old"}, None, "old")], "user", "username")
    assert removed[0]["after"] == {} and removed[0]["after_header"] == "user old (absent)"


def test_no_diff_key_unless_asked_and_unchanged_when_nothing_moves():
    result = module_result([plan("none", [], {}, {})], "users", False, "user", "username")
    assert result == {"changed": False, "users": [plan("none", [], {}, {})]}


def test_list_entries_inherit_top_level_state():
    params = {"users": [{"username": "a", "state": None}, {"username": "b", "state": "absent"}], "state": "present"}
    items = select_items(params, "users", ("username", "state"), ("state",))
    assert [(i["username"], i["state"], i["where"]) for i in items] == [("a", "present", "users[0]"),
                                                                           ("b", "absent", "users[1]")]
