"""The LMS-side tasks need no Python for Ansible on the LMS host: their action plugins run them on the
controller and only `manage.py ... shell` on the host, over the connection. Run as plain modules
(without the action plugins) they give the same results."""

NO_PYTHON = {"ansible_python_interpreter": "/nonexistent/python3"}


def access(target, name, **extra):
    return {
        **target.runner,
        "users": [{"username": name, "email": f"{name}@example.com", "staff": True}],
        "clients": [
            {
                "name": name,
                "owner": name,
                "client_id": name,
                "client_secret": "Connection-secret-" + name,
                "grant_type": "client_credentials",
            }
        ],
        **extra,
    }


def test_a_host_without_any_python_for_ansible_is_provisioned_checked_and_rerun(target, name):
    # Proof that the host cannot run a module: ping, the simplest one, fails there.
    ping = target.play([{"name": "ping", "ping": {}}], play_vars=NO_PYTHON)
    assert ping.rc != 0 and "/nonexistent/python3" in ping.output

    tasks = [{"name": "access", "edx_access": access(target, name)}]
    check = target.play(tasks, play_vars=NO_PYTHON, check=True, diff=True)
    assert check.rc == 0, check.output[-3000:]
    assert check.task("access")["result"]["changed"] is True and target.user(name) is None
    assert "Connection-secret-" + name not in check.output

    first = target.play(tasks, play_vars=NO_PYTHON)
    assert first.rc == 0 and first.task("access")["result"]["changed"] is True, first.output[-3000:]
    assert target.user(name)["is_staff"] is True and target.client(name)["owner"] == name

    boots = target.lms.boots()
    rerun = target.play(tasks, play_vars=NO_PYTHON)
    assert rerun.rc == 0 and rerun.task("access")["result"]["changed"] is False
    assert target.lms.boots() - boots == 1


def test_edx_user_and_edx_oauth_client_need_no_python_on_the_host_either(target, name):
    tasks = [
        {"name": "user", "edx_user": {**target.runner, "username": name, "email": f"{name}@example.com"}},
        {
            "name": "client",
            "edx_oauth_client": {
                **target.runner,
                "name": name,
                "owner": name,
                "client_id": name,
                "client_secret": "Connection-secret-" + name,
            },
        },
    ]
    run = target.play(tasks, play_vars=NO_PYTHON)
    assert run.rc == 0, run.output[-3000:]
    assert run.task("user")["result"]["users"][0]["action"] == "create"
    assert run.task("client")["result"]["clients"][0]["action"] == "create"


def test_a_bad_option_fails_on_the_controller_naming_it_before_the_lms_starts(target, name):
    boots = target.lms.boots()
    run = target.play(
        [{"name": "user", "edx_user": {**target.runner, "username": name, "shell": "bash"}}], play_vars=NO_PYTHON
    )
    assert run.rc != 0 and "shell" in run.task("user")["result"]["msg"]
    run = target.play(
        [{"name": "user", "edx_user": {**target.runner, "username": name + "\n", "email": "x@example.com"}}],
        play_vars=NO_PYTHON,
    )
    assert run.rc != 0 and "username" in run.task("user")["result"]["msg"]
    assert target.lms.boots() == boots


def test_the_tasks_environment_reaches_the_lms(target, name):
    """`environment:` on the task applies to the LMS process, as it would to a module."""
    task = {
        "name": "user",
        "edx_user": {**target.runner, "username": name, "email": f"{name}@example.com"},
        "environment": target.env,
    }
    run = target.play([task], env={"LMS_STATE_DIR": "/nonexistent"})  # the play's own environment is wrong
    assert run.rc == 0, run.output[-3000:]
    assert target.user(name) is not None


def test_as_a_plain_module_the_result_is_the_same(target, name, tmp_path):
    """Without the action plugins (library/ copied alone), the module runs on the host and agrees."""
    empty = tmp_path / "no_action_plugins"
    empty.mkdir()
    via_module = target.play(
        [{"name": "access", "edx_access": access(target, name + "-m")}],
        diff=True,
        env={"ANSIBLE_ACTION_PLUGINS": str(empty)},
    )
    via_action = target.play([{"name": "access", "edx_access": access(target, name + "-a")}], diff=True)
    assert via_module.rc == 0 and via_action.rc == 0, via_module.output[-2000:] + via_action.output[-2000:]

    def shape(run, suffix):
        result = run.task("access")["result"]
        text = repr({key: result[key] for key in ("changed", "users", "clients", "token", "diff")})
        return text.replace(name + suffix, "NAME")

    assert shape(via_module, "-m") == shape(via_action, "-a")
