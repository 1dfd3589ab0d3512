#!/usr/bin/env python3
# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Build the Ansible collection tarball from the repository's own sources (`make collection`).

One tree to maintain: library/, module_utils/, doc_fragments/, action_plugins/, roles/ and
playbooks/ are copied into a collection layout under build/collection/ with short names made fully
qualified (tools/collection_rewrite.py), galaxy.yml, meta/runtime.yml and README.md are generated
from pyproject.toml's [project] version and [tool.edx_provision.collection] table, and
`ansible-galaxy collection build` packs build/<namespace>-<name>-<version>.tar.gz.
Everything it writes is under build/ (not committed). Standard library only.
"""

import argparse
import json
import os
import re
import shutil
import string
import subprocess
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from collection_rewrite import Names, rewrite_python, rewrite_tasks

REPO = Path(__file__).resolve().parents[1]
# Galaxy's rules: lowercase letters, digits and underscores, starting with a letter, no double underscore.
_GALAXY_NAME = re.compile(r"[a-z][a-z0-9_]*")
_SEMVER = re.compile(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")
_SKIP = ("__pycache__", ".pytest_cache", "molecule")  # molecule: the role's dev scenario, repo paths


class BuildError(Exception):
    """The configuration or the sources cannot make a valid collection."""


def load_config(repo=REPO):
    """Namespace, name, version and metadata: the single source of truth is pyproject.toml."""
    data = tomllib.loads((repo / "pyproject.toml").read_text())
    config = dict(data.get("tool", {}).get("edx_provision", {}).get("collection", {}))
    config["version"] = data["project"]["version"]
    config.setdefault("description", data["project"].get("description", ""))
    for key in ("namespace", "name"):
        value = config.get(key, "")
        if not _GALAXY_NAME.fullmatch(value) or "__" in value:
            raise BuildError(
                "pyproject.toml [tool.edx_provision.collection] %s = %r: use lowercase letters, digits "
                "and underscores, starting with a letter" % (key, value)
            )
    if not _SEMVER.fullmatch(config["version"]):
        raise BuildError("pyproject.toml [project] version = %r is not semantic (X.Y.Z)" % config["version"])
    if not config.get("authors"):
        raise BuildError("pyproject.toml [tool.edx_provision.collection] authors is empty")
    if not config.get("license"):
        raise BuildError("pyproject.toml [tool.edx_provision.collection] license is empty: name an SPDX licence")
    return config


def _python_stems(directory):
    return {path.stem for path in directory.glob("*.py") if path.stem != "__init__"}


def names_from_sources(config, repo=REPO):
    """The short names the sources use, found in the tree, so new modules and module_utils join by themselves."""
    module_utils = _python_stems(repo / "module_utils")
    module_utils |= {
        path.name for path in (repo / "module_utils").iterdir() if path.is_dir() and (path / "__init__.py").exists()
    }
    return Names(
        namespace=config["namespace"],
        name=config["name"],
        modules=frozenset(_python_stems(repo / "library")),
        module_utils=frozenset(module_utils),
        doc_fragments=frozenset(_python_stems(repo / "doc_fragments")),
        roles=frozenset(path.name for path in (repo / "roles").iterdir() if (path / "tasks").is_dir()),
    )


def _files(source):
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and not any(part in _SKIP for part in relative.parts) and path.suffix != ".pyc":
            yield path, relative


def _is_task_file(relative):
    """Role task and handler files hold tasks; defaults, vars and meta hold none."""
    return relative.suffix in (".yml", ".yaml") and any(part in ("tasks", "handlers") for part in relative.parts)


def _copy_tree(source, target, rewrite_py=None, rewrite_yaml=None, is_yaml_to_rewrite=_is_task_file):
    for path, relative in _files(source):
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            # One action plugin serves several modules through links to it, as in kubernetes.core.
            link = os.readlink(path)
            if os.path.isabs(link) or os.sep in link:
                raise BuildError("%s links to %s: only links to a file in the same folder are kept" % (path, link))
            destination.symlink_to(link)
        elif path.suffix == ".py" and rewrite_py:
            destination.write_text(rewrite_py(path.read_text()))
        elif rewrite_yaml and is_yaml_to_rewrite(relative):
            destination.write_text(rewrite_yaml(path.read_text()))
        else:
            shutil.copy2(path, destination)


def galaxy_yml(config):
    """galaxy.yml as YAML text; values are JSON strings, which YAML reads as the same strings."""
    lines = ["---", "# Generated by tools/build_collection.py from pyproject.toml; do not edit."]
    for key in ("namespace", "name", "version", "description"):
        lines.append("%s: %s" % (key, json.dumps(config[key])))
    lines.append("readme: README.md")
    for key in ("authors", "tags"):
        lines.append("%s:" % key)
        lines.extend("  - %s" % json.dumps(value) for value in config.get(key, []))
    if config.get("license"):
        license_ids = config["license"]
        lines.append("license: %s" % json.dumps([license_ids] if isinstance(license_ids, str) else list(license_ids)))
    for key in ("repository", "documentation", "issues"):
        if config.get(key):
            lines.append("%s: %s" % (key, json.dumps(config[key])))
    lines.append("dependencies: {}")
    return "\n".join(lines) + "\n"


def runtime_yml(config):
    return (
        "---\n# Generated by tools/build_collection.py from pyproject.toml; do not edit.\n"
        "requires_ansible: %s\n" % json.dumps(config["requires_ansible"])
    )


def _short_description(path):
    match = re.search(r"^short_description:\s*(.+)$", path.read_text(), re.MULTILINE)
    return match.group(1).strip() if match else ""


def readme(config, names, repo=REPO):
    """docs/collection-readme.md with the collection's names filled in and a table of its modules."""
    rows = [
        "| `%s` | %s |" % (names.fqcn(module), _short_description(repo / "library" / (module + ".py")))
        for module in sorted(names.modules)
    ]
    template = string.Template((repo / "docs" / "collection-readme.md").read_text())
    return template.substitute(
        collection="%s.%s" % (names.namespace, names.name),
        namespace=names.namespace,
        name=names.name,
        version=config["version"],
        requires_ansible=config["requires_ansible"],
        modules="| module | what it does |\n|---|---|\n" + "\n".join(rows),
    )


def _version_tuple(version):
    return tuple(int(part) for part in re.match(r"\d+\.\d+\.\d+", version).group(0).split("."))


def check_versions_added(config, repo=REPO):
    """A module documented as added in a later version than the collection's is a release mistake."""
    for path in sorted((repo / "library").glob("*.py")):
        match = re.search(r"^version_added:\s*[\"']?([\d.]+)", path.read_text(), re.MULTILINE)
        if match and _version_tuple(match.group(1)) > _version_tuple(config["version"]):
            raise BuildError(
                "library/%s says version_added %s, later than the collection's version %s "
                "(pyproject.toml [project] version)" % (path.name, match.group(1), config["version"])
            )


def stage(config, build_dir, repo=REPO):
    """Write the collection tree; returns its root (build/collection/ansible_collections/NS/NAME)."""
    names = names_from_sources(config, repo)
    check_versions_added(config, repo)
    if (build_dir / "collection").exists():
        shutil.rmtree(build_dir / "collection")
    root = build_dir / "collection" / "ansible_collections" / names.namespace / names.name

    def python(source):
        return rewrite_python(source, names)

    def tasks(source):
        return rewrite_tasks(source, names)

    _copy_tree(repo / "library", root / "plugins" / "modules", python)
    _copy_tree(repo / "module_utils", root / "plugins" / "module_utils", python)
    _copy_tree(repo / "doc_fragments", root / "plugins" / "doc_fragments", python)
    _copy_tree(repo / "action_plugins", root / "plugins" / "action", python)
    _copy_tree(repo / "roles", root / "roles", rewrite_yaml=tasks)
    _copy_tree(
        repo / "playbooks",
        root / "playbooks",
        rewrite_yaml=tasks,
        is_yaml_to_rewrite=lambda relative: relative.suffix in (".yml", ".yaml"),
    )
    shutil.copy2(repo / "LICENSE", root / "LICENSE")
    (root / "meta").mkdir(parents=True, exist_ok=True)
    (root / "meta" / "runtime.yml").write_text(runtime_yml(config))
    (root / "galaxy.yml").write_text(galaxy_yml(config))
    (root / "README.md").write_text(readme(config, names, repo))
    return root


def _ansible_galaxy():
    beside = Path(sys.executable).parent / "ansible-galaxy"
    found = str(beside) if beside.exists() else shutil.which("ansible-galaxy")
    if not found:
        raise BuildError("ansible-galaxy not found beside %s or on PATH: run `make venv` first" % sys.executable)
    return found


def build(build_dir, repo=REPO):
    """Stage the tree and pack it; returns the tarball's path."""
    config = load_config(repo)
    root = stage(config, build_dir, repo)
    tarball = build_dir / ("%s-%s-%s.tar.gz" % (config["namespace"], config["name"], config["version"]))
    proc = subprocess.run(
        [_ansible_galaxy(), "collection", "build", str(root), "--output-path", str(build_dir), "--force"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not tarball.exists():
        raise BuildError("ansible-galaxy collection build failed:\n%s%s" % (proc.stdout, proc.stderr))
    return tarball


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=REPO / "build", help="where to write (default: build/)")
    parser.add_argument("--print-name", action="store_true", help="print NAMESPACE.NAME and exit")
    args = parser.parse_args(argv)
    try:
        if args.print_name:
            config = load_config()
            print("%s.%s" % (config["namespace"], config["name"]))
            return 0
        print(build(args.build_dir.resolve()))
    except (BuildError, ValueError) as exc:
        print("make collection: %s" % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
