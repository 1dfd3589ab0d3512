"""fleet down removes every namespace, veth, process and file, also after a failed fleet up,
and leaves other fleets on the machine alone."""

import os
from pathlib import Path

import fleet as fleetlib
import pytest


class FailingFleet(fleetlib.Fleet):
    """A fleet whose build breaks after the network, namespaces and mounts exist."""

    def _start_services(self, host):
        raise fleetlib.FleetError("injected failure after %s's namespaces were made" % host["name"])


def _traces(state):
    """What of a fleet is still on the machine: netns, veth, live recorded processes."""
    left = []
    for host in state["hosts"]:
        if Path("/run/netns", host["netns"]).exists():
            left.append("netns " + host["netns"])
        if Path("/sys/class/net", host["veth"]).exists():
            left.append("veth " + host["veth"])
        for key in ("anchor", "sshd", "lms"):
            if fleetlib.alive(host.get(key)):
                left.append("%s pid %s" % (key, host[key]))
    return left


def test_down_after_a_failed_up_removes_everything_and_spares_the_other_fleet(fleet, tmp_path):
    broken = FailingFleet(tmp_path / "broken")
    with pytest.raises(fleetlib.FleetError, match="injected failure"):
        broken.up(size=1)
    state = dict(broken.state)
    assert state["hosts"][0].get("anchor"), "the failed build got as far as the host's namespaces"
    assert _traces(state), "something to clean up"

    broken.down()
    assert _traces(state) == []
    assert not (tmp_path / "broken").exists()
    broken.down()  # idempotent

    # The session's fleet still works and still holds the shared /edx mount point.
    assert fleet.healthy()
    assert Path("/edx").is_dir()
    assert os.path.exists(fleet.host_dir(fleet.hosts[0]) / "edx" / "bin" / "python.edxapp")
