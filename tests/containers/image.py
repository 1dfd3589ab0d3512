"""Build the container stand-in's images offline: a Debian root filesystem, then the stand-in LMS on it.

Standard library only. No registry is reachable, so nothing is pulled:
- edx-provision/bookworm-minbase: `debootstrap --variant=minbase bookworm` with python3, python3-venv
  and procps, imported with `docker import`. The root filesystem's tarball is cached.
- edx-provision/lms-standin: tests/containers/image/Dockerfile on top of it, with the stand-in's
  pinned requirements (tests/lms/requirements.txt) as wheels fetched for CPython 3.11 on Linux
  (Debian 12's Python) into a cache keyed by that file, and the code of tests/lms.
"""

import hashlib
import shutil
import tempfile
from pathlib import Path

from machine import MIRROR, ContainersError, log, run

REPO_ROOT = Path(__file__).resolve().parents[2]
STANDIN = REPO_ROOT / "tests" / "lms"
REQUIREMENTS = STANDIN / "requirements.txt"
DOCKERFILE = Path(__file__).resolve().parent / "image" / "Dockerfile"
BASE_IMAGE = "edx-provision/bookworm-minbase:latest"
LMS_IMAGE = "edx-provision/lms-standin:latest"
BASE_PACKAGES = ("python3", "python3-venv", "procps")
# What the image does not need from tests/lms: its own tests and caches.
LEFT_OUT = ("contract", "__pycache__", "*.pyc", "README.md")


def base_rootfs(cache):
    """The cached tarball of a minbase Debian 12 with BASE_PACKAGES, made by debootstrap when missing."""
    tarball = Path(cache) / ("bookworm-minbase-%s.tar" % "-".join(BASE_PACKAGES))
    if tarball.exists():
        return tarball
    tarball.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=str(tarball.parent)) as tmp:
        root = Path(tmp) / "rootfs"
        log("debootstrap bookworm (minbase, %s)" % ", ".join(BASE_PACKAGES))
        run(["debootstrap", "--variant=minbase", "--include=" + ",".join(BASE_PACKAGES), "bookworm", str(root), MIRROR])
        shutil.rmtree(root / "var/cache/apt/archives", ignore_errors=True)
        partial = tarball.with_suffix(".partial")
        run(["tar", "--numeric-owner", "-C", str(root), "-cf", str(partial), "."])
        partial.rename(tarball)
    return tarball


def wheels(cache, pip):
    """The stand-in's requirements as wheels for CPython 3.11 on x86_64 Linux, cached per requirements file."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    target = Path(cache) / ("wheels-%s" % digest)
    if target.exists():
        return target
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    log("fetching the stand-in's wheels")
    run(
        [
            pip,
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--only-binary=:all:",
            "--python-version",
            "3.11",
            "--implementation",
            "cp",
            "--abi",
            "cp311",
            "--platform",
            "manylinux_2_36_x86_64",
            "--platform",
            "manylinux_2_17_x86_64",
            "--platform",
            "manylinux2014_x86_64",
            "--platform",
            "linux_x86_64",
            "-r",
            str(REQUIREMENTS),
            "-d",
            str(partial),
        ]
    )
    partial.rename(target)
    return target


def build(docker, env, cache, pip):
    """Import the base image and build the stand-in image (the daemon caches the layers)."""
    images = run([docker, "images", "-q", BASE_IMAGE], env=env).stdout.strip()
    if not images:
        log("importing %s" % BASE_IMAGE)
        run([docker, "import", str(base_rootfs(cache)), BASE_IMAGE], env=env)
    wheel_dir = wheels(cache, pip)
    with tempfile.TemporaryDirectory() as tmp:
        context = Path(tmp)
        shutil.copy2(DOCKERFILE, context / "Dockerfile")
        shutil.copy2(REQUIREMENTS, context / "requirements.txt")
        shutil.copytree(wheel_dir, context / "wheels")
        shutil.copytree(STANDIN, context / "edx-platform", ignore=shutil.ignore_patterns(*LEFT_OUT))
        log("building %s" % LMS_IMAGE)
        # The classic builder: dockerd 20.10 without buildx. No network: everything is in the context.
        build_env = dict(env, DOCKER_BUILDKIT="0")
        result = run([docker, "build", "--network", "none", "-t", LMS_IMAGE, str(context)], check=False, env=build_env)
        if result.returncode != 0:
            raise ContainersError("building %s failed:\n%s" % (LMS_IMAGE, (result.stdout + result.stderr)[-4000:]))
    return LMS_IMAGE
