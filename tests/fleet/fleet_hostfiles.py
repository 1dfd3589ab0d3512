"""The files of a fleet: each host's users, sudoers, sshd and native /edx layout; the controller's SSH and inventory.

A host's files live in its directory (`root`) and are bind-mounted into the host by fleet.py; uids
are numbers free on this machine, so the controller's own /etc stays as it is.
"""

import os
import shutil
from pathlib import Path

from fleet_machine import FleetError, run

LOGIN_USER = "edxops"
LMS_USER = "edxapp"
WEB_USER = "www-data"
LMS_PORT = 8000
LMS_VENV = "/edx/app/edxapp/venvs/edxapp"  # where configuration puts the LMS's virtualenv
LMS_STATE = "/edx/var/edxapp/standin"  # the stand-in's state directory inside a host


def free_ids(count, taken, start=2100):
    ids, candidate = [], start
    while len(ids) < count:
        if candidate not in taken:
            ids.append(candidate)
        candidate += 1
    return ids


def host_users():
    """uid/gid for edxapp and the login user, free on this machine; www-data's from /etc/passwd."""
    passwd = [line.split(":") for line in Path("/etc/passwd").read_text().splitlines() if line]
    groups = [line.split(":") for line in Path("/etc/group").read_text().splitlines() if line]
    taken = {int(f[2]) for f in passwd} | {int(f[2]) for f in groups}
    lms_id, login_id = free_ids(2, taken)
    www = next((f for f in passwd if f[0] == WEB_USER), None)
    if www is None:
        raise FleetError("user %s is missing from /etc/passwd (Debian has it in base-passwd)" % WEB_USER)
    return {LMS_USER: lms_id, LOGIN_USER: login_id, WEB_USER: int(www[2]), "www_gid": int(www[3])}


def lms_url(host):
    return "http://%s:%d" % (host["address"], LMS_PORT)


def env_file_text(host, settings, boot_delay):
    """What configuration's edxapp_env holds, plus the stand-in's knobs."""
    lines = {
        "LANG": "C.UTF-8",
        "PATH": "/edx/app/edxapp/edx-platform/bin:/usr/local/bin:/usr/bin:/bin",
        "SERVICE_VARIANT": "lms",
        "EDX_PLATFORM_SETTINGS": settings,
        "CONFIG_ROOT": "/edx/etc",
        "LMS_CFG": "/edx/etc/lms.yml",
        "LMS_STATE_DIR": LMS_STATE,
        "LMS_ROOT_URL": lms_url(host),
        "LMS_PORT": str(LMS_PORT),
        "LMS_BOOT_DELAY": str(boot_delay),
    }
    return "".join('export %s="%s"\n' % item for item in lines.items())


def write_host_files(root, host, users, env_text, authorized_key, database):
    """Create `root`: the host's etc, home and /edx trees, owned and moded as on a native install."""
    if root.exists():
        shutil.rmtree(root)
    etc, edx, home = root / "etc", root / "edx", root / "home"
    state_dir = edx / Path(LMS_STATE).relative_to("/edx")
    for path in (
        etc / "ssh",
        etc / "sudoers.d",
        root / "log",
        root / "mnt",
        edx / "bin",
        edx / "app" / "edxapp" / "edx-platform",
        edx / Path(LMS_VENV).relative_to("/edx"),
        state_dir,
        home / LOGIN_USER / ".ssh",
    ):
        path.mkdir(parents=True, exist_ok=True)
    _write_users(etc, users)
    (etc / "hosts").write_text("127.0.0.1 localhost\n%s %s\n" % (host["address"], host["name"]))
    # The login user may become the LMS's users, and only them (what Ansible's become needs).
    sudoers = etc / "sudoers.d" / "edx-provision"
    sudoers.write_text("%s ALL=(%s,%s) NOPASSWD: ALL\n" % (LOGIN_USER, LMS_USER, WEB_USER))
    os.chmod(sudoers, 0o440)
    os.chmod(etc / "sudoers.d", 0o755)  # noqa: S103 (what sudo expects)
    _write_sshd(etc / "ssh", host)
    login_uid = users[LOGIN_USER]
    ssh_dir = home / LOGIN_USER / ".ssh"
    shutil.copyfile(authorized_key, ssh_dir / "authorized_keys")
    for path, mode in ((home / LOGIN_USER, 0o750), (ssh_dir, 0o700), (ssh_dir / "authorized_keys", 0o600)):
        os.chown(path, login_uid, login_uid)
        os.chmod(path, mode)
    _write_native_layout(edx, users, env_text)
    shutil.copyfile(database, state_dir / "db.sqlite3")
    for path in (state_dir, state_dir.parent, state_dir / "db.sqlite3"):
        os.chown(path, users[LMS_USER], users[LMS_USER])
    os.chmod(state_dir, 0o750)  # noqa: S103 (edxapp only)


def _write_users(etc, users):
    """The machine's users plus edxapp (no login shell, as configuration makes it) and the login user."""
    lms_uid, login_uid = users[LMS_USER], users[LOGIN_USER]
    (etc / "passwd").write_text(
        Path("/etc/passwd").read_text().rstrip("\n") + "\n"
        "%s:x:%d:%d:Open edX LMS:/edx/app/edxapp:/bin/false\n"
        "%s:x:%d:%d:fleet login:/home/%s:/bin/bash\n"
        % (LMS_USER, lms_uid, lms_uid, LOGIN_USER, login_uid, login_uid, LOGIN_USER)
    )
    (etc / "group").write_text(
        Path("/etc/group").read_text().rstrip("\n") + "\n"
        "%s:x:%d:\n%s:x:%d:\n" % (LMS_USER, lms_uid, LOGIN_USER, login_uid)
    )
    # `*`: no password, yet not locked, so key login works without PAM.
    (etc / "shadow").write_text(
        Path("/etc/shadow").read_text().rstrip("\n") + "\n"
        "%s:*:20000:0:99999:7:::\n%s:*:20000:0:99999:7:::\n" % (LMS_USER, LOGIN_USER)
    )
    os.chmod(etc / "shadow", 0o640)


def _write_sshd(ssh, host):
    """The host's own key and sshd_config: key login only, for the login user only."""
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", host["name"], "-f", str(ssh / "ssh_host_ed25519_key")])
    (ssh / "sshd_config").write_text(
        "# edx-provision fleet host %s\n"
        "ListenAddress %s:22\nHostKey /etc/ssh/ssh_host_ed25519_key\nPidFile /run/sshd.pid\n"
        "PubkeyAuthentication yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "PermitRootLogin no\nAllowUsers %s\nUsePAM no\nUseDNS no\nX11Forwarding no\n"
        "MaxStartups 200\nMaxSessions 50\nLogLevel VERBOSE\nSubsystem sftp internal-sftp\n"
        % (host["name"], host["address"], LOGIN_USER)
    )


def _write_native_layout(edx, users, env_text):
    """/edx/bin/python.edxapp, /edx/bin/manage.edxapp and edxapp_env, as configuration leaves them."""
    python = edx / "bin" / "python.edxapp"
    python.write_text(
        "#!/bin/sh\n# The LMS's virtualenv Python (configuration links it to the venv).\n"
        'exec %s/bin/python "$@"\n' % LMS_VENV
    )
    python.chmod(0o755)
    (edx / "bin" / "manage.edxapp").symlink_to("/edx/app/edxapp/edx-platform/manage.py")
    env_file = edx / "app" / "edxapp" / "edxapp_env"
    env_file.write_text(env_text)
    os.chown(env_file, users[LMS_USER], users["www_gid"])
    os.chmod(env_file, 0o644)
    os.chown(edx / "app" / "edxapp", users[LMS_USER], users["www_gid"])


def ssh_client_files(hosts, host_keys, key, directory):
    """(known_hosts, ssh_config) text for the controller: the hosts' own keys, strict checking, batch mode."""
    known, config = [], []
    for host in hosts:
        public = Path(host_keys[host["name"]]).read_text().split()
        known.append("%s,%s %s %s\n" % (host["name"], host["address"], public[0], public[1]))
        config.append(
            "Host %s\n  HostName %s\n  User %s\n  IdentityFile %s\n  IdentitiesOnly yes\n"
            "  UserKnownHostsFile %s\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n"
            "  HostKeyAlias %s\n  BatchMode yes\n  ConnectTimeout 5\n\n"
            % (host["name"], host["address"], LOGIN_USER, key, directory / "known_hosts", host["name"])
        )
    header = "# edx-provision fleet: ssh -F %s lms1\n\n" % (directory / "ssh_config")
    return "".join(known), header + "".join(config)


def inventory_text(hosts, ssh_config, control_dir, client_secret):
    """The `lms` group over SSH: login user, become to edxapp, the native runner, one URL per host."""
    entries = "".join("    %s:\n      edx_api_access_lms_url: %s\n" % (host["name"], lms_url(host)) for host in hosts)
    return (
        "---\n"
        "# Written by tests/fleet/fleet.py: %d SSH test hosts, each a native LMS install.\n"
        "# The LMS side runs over SSH as %s, then sudo to %s (become), with the native runner.\n"
        "lms:\n"
        "  vars:\n"
        "    ansible_connection: ssh\n"
        "    ansible_user: %s\n"
        "    ansible_ssh_common_args: -F %s\n"
        "    ansible_control_path_dir: %s\n"
        "    edx_api_access_runner: native\n"
        "    edx_api_access_become: true\n"
        "    edx_api_access_become_user: %s\n"
        "    edx_api_access_username: enrollment-api\n"
        "    edx_api_access_email: enrollment-api@example.com\n"
        "    # A throw-away fleet on this machine; on a real LMS keep the secret in Ansible Vault.\n"
        "    edx_api_access_client_secret: %s\n"
        "  hosts:\n%s"
        % (len(hosts), LOGIN_USER, LMS_USER, LOGIN_USER, ssh_config, control_dir, LMS_USER, client_secret, entries)
    )
