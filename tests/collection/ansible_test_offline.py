"""Run `ansible-test sanity` in an installed collection without ansible-test's one download.

ansible-test bootstraps pip in each sanity virtualenv with a get-pip script it downloads from a host
these machines cannot reach. It uses a cached copy when `~/.ansible/test/cache/get_pip_<version>.py`
exists, so this writes a stand-in there that runs `ensurepip` and then `pip install` (from the package
index pip is configured with). ansible-test runs with HOME set to a cache directory of this project's
(`$XDG_CACHE_HOME/edx-provision-ansible-test`, default `~/.cache/...`, or `$EDX_ANSIBLE_TEST_HOME`), so its
sanity virtualenvs are reused between runs and clones, and the user's own ~/.ansible is left alone.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import ansible_test

HOME = Path(
    os.environ.get("EDX_ANSIBLE_TEST_HOME")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "edx-provision-ansible-test"
)

_BOOTSTRAP = '''"""Stand-in for get-pip (written by tests/collection/ansible_test_offline.py)."""
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]  # get-pip's own options
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
'''


def pip_version():
    """The pip version ansible-test bootstraps (it names the cached script after it)."""
    source = (Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py").read_text()
    match = re.search(r"pip='(\d+(?:\.\d+)*)'", source)
    if not match:
        raise RuntimeError("cannot find ansible-test's pip version in python_requirements.py")
    return match.group(1)


def prepare_home(home=HOME):
    cache = home / ".ansible" / "test" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    script = cache / ("get_pip_%s.py" % pip_version().replace(".", "_"))
    if not script.exists() or script.read_text() != _BOOTSTRAP:
        script.write_text(_BOOTSTRAP)
    return home


def run_sanity(collection_root, extra_args=(), home=HOME):
    """ansible-test sanity (every test) on this interpreter, locally; returns the CompletedProcess."""
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, HOME=str(prepare_home(home)), PATH="%s%s%s" % (bin_dir, os.pathsep, os.environ["PATH"]))
    for key in [key for key in env if key.startswith("ANSIBLE_")]:
        del env[key]
    python = "%d.%d" % sys.version_info[:2]
    argv = [str(bin_dir / "ansible-test"), "sanity", "--python", python, "--local", "--color", "no", *extra_args]
    return subprocess.run(argv, cwd=collection_root, env=env, capture_output=True, text=True, check=False)


if __name__ == "__main__":
    proc = run_sanity(Path(sys.argv[1]), sys.argv[2:])
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    sys.exit(proc.returncode)
