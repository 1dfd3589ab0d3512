"""edx_user's decisions: what changes for a user, given what the task asks and what the LMS holds."""

import pytest
from ansible.module_utils.edx_provision.inlms.base import ProvisionError
from ansible.module_utils.edx_provision.inlms.users import manage_user_args, plan_user


def want(**options):
    base = dict(
        where="",
        username="svc",
        email=None,
        staff=None,
        superuser=None,
        groups=None,
        password=None,
        update_password="always",
        state="present",
    )
    base.update(options)
    return base


HAVE = {
    "username": "svc",
    "email": "svc@example.com",
    "is_staff": True,
    "is_superuser": False,
    "is_active": True,
    "groups": ["api"],
    "has_usable_password": True,
}


def test_options_left_out_leave_the_user_as_it_is():
    plan = plan_user(want(email="SVC@example.com"), HAVE, password_matches=True)
    assert plan["action"] == "none" and plan["changes"] == [] and plan["after"] == HAVE


def test_only_the_given_flags_change_and_manage_user_gets_the_others_as_they_are():
    plan = plan_user(want(superuser=True), HAVE, password_matches=True)
    assert plan["action"] == "update" and plan["changes"] == ["is_superuser"]
    # manage_user is absolute: staff and groups must be passed through or it would demote and strip them
    assert manage_user_args(plan) == (
        ["svc", "svc@example.com"],
        {"is_staff": True, "is_superuser": True, "groups": ["api"]},
    )


def test_groups_are_an_exact_list_and_empty_removes_all():
    plan = plan_user(want(groups=[]), HAVE, password_matches=True)
    assert plan["changes"] == ["groups"] and plan["after"]["groups"] == []
    assert manage_user_args(plan)[1]["groups"] == []
    assert plan_user(want(groups=["api", "api"]), HAVE, True)["action"] == "none"


def test_another_email_fails_naming_both_addresses_and_the_option():
    with pytest.raises(ProvisionError) as error:
        plan_user(want(where="users[1]", email="other@example.com"), HAVE, True)
    message = str(error.value)
    assert "svc@example.com" in message and "other@example.com" in message and "users[1].email" in message


def test_password_is_set_only_when_it_differs_or_only_on_creation():
    assert plan_user(want(password="pw"), HAVE, password_matches=True)["action"] == "none"
    assert plan_user(want(password="pw"), HAVE, password_matches=False)["changes"] == ["password"]
    on_create = want(password="pw", update_password="on_create")
    assert plan_user(on_create, HAVE, password_matches=False)["action"] == "none"


def test_creation_needs_an_email_and_defaults_flags_to_off():
    with pytest.raises(ProvisionError, match="set email"):
        plan_user(want(), None, True)
    plan = plan_user(want(email="new@example.com", groups=["b", "a"]), None, True)
    assert plan["action"] == "create" and plan["before"] is None
    assert plan["after"]["is_staff"] is False and plan["after"]["groups"] == ["a", "b"]
    args = manage_user_args(plan, password_hash="md5$salt$hash")
    assert args == (
        ["svc", "new@example.com"],
        {"is_staff": False, "is_superuser": False, "groups": ["a", "b"], "initial_password_hash": "md5$salt$hash"},
    )


def test_absent_removes_with_the_lms_address_and_is_a_no_op_when_missing():
    plan = plan_user(want(state="absent"), HAVE, True)
    assert plan["action"] == "delete" and plan["after"] is None
    assert manage_user_args(plan) == (["svc", "svc@example.com"], {"is_remove": True})
    assert plan_user(want(state="absent"), None, True)["action"] == "none"


def test_removing_a_user_that_owns_clients_is_refused_naming_them_unless_allowed():
    with pytest.raises(ProvisionError, match=r'owns OAuth2 clients \("c1", "c2"\).*remove_owned_clients: true'):
        plan_user(want(state="absent"), HAVE, True, owned_clients=["c1", "c2"])
    plan = plan_user(want(state="absent", remove_owned_clients=True), HAVE, True, owned_clients=["c1", "c2"])
    assert plan["action"] == "delete" and plan["removed_clients"] == ["c1", "c2"]


def test_active_is_managed_when_given():
    inactive = dict(HAVE, is_active=False)
    plan = plan_user(want(active=True), inactive, True)
    assert plan["changes"] == ["is_active"] and plan["after"]["is_active"] is True
    assert plan_user(want(), inactive, True)["action"] == "none"
    assert plan_user(want(email="n@example.com", active=False), None, True)["after"]["is_active"] is False
