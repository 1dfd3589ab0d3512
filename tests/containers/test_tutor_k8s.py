"""tutor_k8s without a cluster: the real `tutor k8s exec` and the real kubectl against kube_api.py,
a test API server that lists the lms pod and refuses the exec. Proven: Tutor finds the pod by its
label, kubectl parses the argv and asks the API server to run exactly `./manage.py lms shell -c
<bootstrap>` with stdin in that pod; the request on stdin stays off it. Not proven: anything after
the API server (the kubelet, the container runtime, stdin streamed into the pod)."""

import shutil

import pytest
from conftest import controller_env
from kube_api import POD, KubeApi


@pytest.fixture
def kube_api():
    api = KubeApi()
    yield api
    api.close()


def test_tutor_k8s_exec_reaches_the_api_server_with_the_lms_command_and_no_data(containers, kube_api, tmp_path):
    if not shutil.which("kubectl"):
        pytest.skip("no kubectl on PATH: the tutor_k8s argv cannot be checked against the real kubectl here")
    from playbook import run_play

    env = controller_env(containers)
    env.update(TUTOR_ROOT=str(tmp_path / "tutor-k8s"), KUBECONFIG=str(kube_api.kubeconfig(tmp_path / "kubeconfig")))
    saved = containers.tutor("config", "save", env=env)
    assert saved.returncode == 0
    secret = "k8s-probe-secret-kept-off-argv"
    task = {"name": "clients", "edx_oauth_client": {"runner": "tutor_k8s", "clients": [
        {"owner": "k8s-probe", "name": "k8s-probe", "client_id": "k8s-probe", "client_secret": secret}]}}  # fmt: skip
    run = run_play([task], env=env, timeout=300)
    result = run.task("clients")["result"]
    assert run.rc != 0 and "exec refused by the test API server" in result["msg"], result["msg"]

    listed = [r for r in kube_api.requests if r["path"] == "/api/v1/namespaces/openedx/pods"]
    assert listed and listed[0]["query"]["labelSelector"] == ["app.kubernetes.io/name=lms"]
    execs = [r for r in kube_api.requests if r["path"] == "/api/v1/namespaces/openedx/pods/%s/exec" % POD]
    assert execs, kube_api.requests
    command = execs[0]["query"]["command"]
    assert command[:4] == ["./manage.py", "lms", "shell", "-c"] and len(command) == 5
    assert execs[0]["query"]["stdin"] == ["true"]
    for request in kube_api.requests:
        assert secret not in str(request) and "k8s-probe" not in str(request["query"])
