"""Result and diff shaping: changed, one diff per changed resource, secrets only as markers."""

from ansible.module_utils.edx_provision.diffs import diff_entries
from ansible.module_utils.edx_provision.lms.results import ResourceKind, module_result, select_items

USERS = ResourceKind("users", "user", "username", ("password",), None)


def plan(action, changes, before, after, username="svc"):
    return {"username": username, "action": action, "changes": changes, "before": before, "after": after}


def test_a_changed_password_is_a_marker_and_unchanged_resources_have_no_diff():
    state = {"username": "svc", "is_staff": True}
    plans = [plan("update", ["password"], state, state), plan("none", [], state, state, username="other")]
    result = module_result({"users": plans}, [USERS], True)
    assert result["changed"] is True and result["users"] == plans
    assert result["diff"] == [
        {
            "before_header": "user svc",
            "after_header": "user svc",
            "before": {"username": "svc", "is_staff": True, "password": "********"},
            "after": {"username": "svc", "is_staff": True, "password": "******** (changed)"},
        }
    ]


def test_creation_and_removal_show_absent_sides():
    created = diff_entries([plan("create", ["state"], None, {"username": "new"}, "new")], "user", "username")
    assert created[0]["before"] == {} and created[0]["before_header"] == "user new (absent)"
    removed = diff_entries([plan("delete", ["state"], {"username": "old"}, None, "old")], "user", "username")
    assert removed[0]["after"] == {} and removed[0]["after_header"] == "user old (absent)"


def test_no_diff_key_unless_asked_and_unchanged_when_nothing_moves():
    result = module_result({"users": [plan("none", [], {}, {})]}, [USERS], False)
    assert result == {"changed": False, "users": [plan("none", [], {}, {})]}


def test_list_entries_inherit_top_level_state():
    params = {"users": [{"username": "a", "state": None}, {"username": "b", "state": "absent"}], "state": "present"}
    items = select_items(params, "users", ("username", "state"), ("state",))
    assert [(i["username"], i["state"], i["where"]) for i in items] == [
        ("a", "present", "users[0]"),
        ("b", "absent", "users[1]"),
    ]


def test_a_removed_user_lists_the_clients_removed_with_it():
    removed = dict(plan("delete", ["state"], {"username": "old"}, None, "old"), removed_clients=["c1", "c2"])
    entry = diff_entries([removed], "user", "username")[0]
    assert entry["before"]["removed_with_it"] == ["OAuth2 client c1", "OAuth2 client c2"]


def test_several_kinds_share_one_changed_flag_and_one_diff_list():
    clients = ResourceKind("clients", "OAuth2 client", "name", ("client_secret",), None)
    answer = {
        "users": [plan("none", [], {}, {})],
        "clients": [{"name": "bot", "action": "create", "changes": ["state"], "before": None, "after": {"a": 1}}],
    }
    result = module_result(answer, [USERS, clients], True)
    assert result["changed"] is True
    assert [d["after_header"] for d in result["diff"]] == ["OAuth2 client bot"]
