"""What fleet.py writes, checked without building hosts (no root needed): addresses, env file, inventory."""

import ipaddress

import fleet as fleetlib
import yaml
from ansible.module_utils.edx_provision.lms.runner import parse_env_file


def paper_fleet(tmp_path, size=2, boot_delay=5.0):
    fleet = fleetlib.Fleet(tmp_path / "fleet")
    fleet.state = {"hosts": [], "client_secret": "s3cret", "boot_delay": boot_delay, "settings": "production"}
    for slot in range(size):
        gateway, address = fleetlib.slot_addresses(slot)
        fleet.state["hosts"].append(
            {
                "name": "lms%d" % (slot + 1),
                "slot": slot,
                "netns": "edxf%d" % slot,
                "veth": "edxf%d" % slot,
                "gateway": gateway,
                "address": address,
            }
        )
    return fleet


def test_every_slot_is_a_distinct_slash30_of_a_documentation_range_never_the_uplinks():
    documentation = [ipaddress.ip_network(n) for n in ("198.51.100.0/24", "203.0.113.0/24")]
    seen = set()
    for slot in range(64 * len(fleetlib.NETWORKS)):
        gateway, address = map(ipaddress.ip_address, fleetlib.slot_addresses(slot))
        assert ipaddress.ip_network("%s/30" % gateway, strict=False) == ipaddress.ip_network(
            "%s/30" % address, strict=False
        )
        assert any(gateway in net and address in net for net in documentation)
        assert gateway not in ipaddress.ip_network("192.0.2.0/24")  # TEST-NET-1 is this machine's uplink
        seen.update((gateway, address))
    assert len(seen) == 2 * 64 * len(fleetlib.NETWORKS)


def test_the_env_file_reads_back_through_the_native_runners_parser(tmp_path):
    fleet = paper_fleet(tmp_path)
    host = fleet.hosts[1]
    env = parse_env_file(fleet.env_file_text(host), {}, "edxapp_env")
    assert env["LMS_STATE_DIR"] == "/edx/var/edxapp/standin"
    assert env["LMS_ROOT_URL"] == "http://%s:8000" % host["address"]
    assert env["LMS_BOOT_DELAY"] == "5.0"
    assert all(line.startswith("export ") for line in fleet.env_file_text(host).splitlines())


def test_the_inventory_is_the_lms_group_over_ssh_with_the_native_runner_and_become_to_edxapp(tmp_path):
    fleet = paper_fleet(tmp_path)
    inventory = yaml.safe_load(fleet.inventory_text())
    group = inventory["lms"]
    assert group["vars"]["ansible_connection"] == "ssh"
    assert group["vars"]["edx_api_access_runner"] == "native"
    assert group["vars"]["edx_api_access_become"] is True
    assert group["vars"]["edx_api_access_become_user"] == "edxapp"
    assert group["vars"]["ansible_ssh_common_args"] == "-F %s" % (fleet.dir / "ssh_config")
    assert group["hosts"] == {
        "lms1": {"edx_api_access_lms_url": "http://198.51.100.2:8000"},
        "lms2": {"edx_api_access_lms_url": "http://198.51.100.6:8000"},
    }
