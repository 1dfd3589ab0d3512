"""What README.md and docs/*.md name exists: make targets, repository paths, the role's variables.

For each document:
- every `make TARGET` written in code (inline or a fenced block) is a target of the Makefile;
- every repository path written in code or as a markdown link exists (with its #anchor, for a link to
  a markdown file), where a repository path is a word whose first part is a top-level entry of the
  repository (`tests/...`, `playbooks/verify.yml`, `docs/x.md`) or one of ROOT_FILES. URLs, paths on
  the LMS host (`/edx/...`), paths of other trees (`lms/envs/...` of edx-platform) and the generated
  paths of GENERATED are not checked;
- every `edx_api_access_*` name is a variable of the role: declared in meta/argument_specs.yml, given a
  default in defaults/main.yml, or registered by its tasks.
Failures name the document, the line and what is missing. Standard library and pytest only.
"""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles" / "edx_api_access"
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

# Written by make, the stand-in, the fleet or the bench; never committed, so never checked.
GENERATED = (".venv", "build", ".lms", ".lms-ginkgo", ".fleet", ".py27-ginkgo", ".ansible", "bench/results")
# Files at the root that a document may name by their bare name.
ROOT_FILES = ("README.md", "Makefile", "ansible.cfg", "inventory.example", "requirements.txt", "pyproject.toml")
TOP_LEVEL = frozenset(path.name for path in REPO.iterdir() if path.name != ".git")

FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"\]\(([^()\s]+)\)")
# `make` as a command: at the start of the code, after `sudo`, or after a shell operator (not "make the ...").
MAKE = re.compile(r"(?:^|[;&|(]|\bsudo)\s*make((?:\s+[A-Za-z0-9_.=/'\"-]\S*)+)", re.MULTILINE)
VARIABLE = re.compile(r"\bedx_api_access_[a-z0-9_]*[a-z0-9]")
TARGET = re.compile(r"^([A-Za-z0-9_.-]+(?:[ \t]+[A-Za-z0-9_.-]+)*)[ \t]*:(?!=)", re.MULTILINE)
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def code_spans(text):
    """(line number, code) for every inline code span and every line of a fenced block."""
    spans, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            spans.append((number, line))
        else:
            spans.extend((number, match.group(2)) for match in INLINE_CODE.finditer(line))
    return spans


def links(text):
    """(line number, target) of every markdown link outside fenced blocks."""
    found, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            found.extend((number, match.group(1)) for match in LINK.finditer(line))
    return found


def make_targets(code):
    """The targets a `make ...` command in `code` names: the words after `make` up to the first option,
    variable assignment or shell operator."""
    targets = []
    for match in MAKE.finditer(code):
        for word in match.group(1).split():
            if "=" in word or word.startswith(("-", "#", "'", '"')) or not re.fullmatch(r"[A-Za-z0-9_.-]+", word):
                break
            targets.append(word)
    return targets


def makefile_targets(makefile=REPO / "Makefile"):
    targets = set()
    for match in TARGET.finditer(makefile.read_text()):
        targets.update(match.group(1).split())
    return targets


def path_words(code):
    """The words of a code span that name a repository path, cleaned of quotes, punctuation and `::test`."""
    words = []
    for raw in code.split():
        word = raw.strip("'\"`()[]{},;").lstrip("@").split("::")[0].rstrip(".:")
        if "=" in word:
            word = word.split("=", 1)[1]
        if is_repository_path(word):
            words.append(word)
    return words


# The package's folders; docs name their files short (`lms/runner.py` is module_utils/edx_provision/lms/runner.py).
PACKAGE = REPO / "module_utils" / "edx_provision"
PACKAGE_FOLDERS = frozenset(path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists())
EDX_PLATFORM_DOCS = {"lms-contract.md"}  # names edx-platform's own lms/ files, which are not ours


def is_repository_path(word):
    if not word or "://" in word or word.startswith(("/", "~", "$", "<", "-")):
        return False
    if word in ROOT_FILES:
        return True
    if "/" in word and word.split("/", 1)[0] in PACKAGE_FOLDERS and word.endswith(".py"):
        return True
    if "/" not in word or word.split("/", 1)[0] not in TOP_LEVEL:
        return False
    return not any(generated(word, prefix) for prefix in GENERATED)


def generated(word, prefix):
    """Whether `word` lies under a GENERATED path; `.lms` also covers `.lms-ginkgo`, `.lms-b`..."""
    return word == prefix or word.startswith(prefix + "/") or (prefix.startswith(".") and word.startswith(prefix))


def exists(relative, base=REPO):
    if relative.split("/", 1)[0] in PACKAGE_FOLDERS and not (base / relative).exists():
        base = base / "module_utils" / "edx_provision"
    if any(char in relative for char in "*?["):
        return any(base.glob(relative))
    return (base / relative).exists()


def slug(heading):
    """GitHub's anchor for a heading: lower case, code marks and punctuation dropped, spaces as dashes."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path):
    found, fenced = set(), False
    for line in path.read_text().splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and HEADING.match(line):
            found.add(slug(HEADING.match(line).group(1)))
    return found


def role_variables(role=ROLE):
    """Every variable the role declares (argument specs), defaults, or registers (its results)."""
    names = set()
    specs = (role / "meta" / "argument_specs.yml").read_text()
    names.update(re.findall(r"^\s+(edx_api_access_[a-z0-9_]+):\s*$", specs, re.MULTILINE))
    defaults = (role / "defaults" / "main.yml").read_text()
    names.update(re.findall(r"^(edx_api_access_[a-z0-9_]+):", defaults, re.MULTILINE))
    for tasks in sorted((role / "tasks").glob("*.yml")):
        names.update(registered(tasks.read_text()))
    return names


def registered(tasks):
    """The names a task file registers (`register:`) or sets (`set_fact:`)."""
    names = set(re.findall(r"^\s*register:\s*(edx_api_access_[a-z0-9_]+)\s*$", tasks, re.MULTILINE))
    setting = None  # the indentation of the set_fact being read
    for line in tasks.splitlines():
        indent = len(line) - len(line.lstrip())
        if setting is not None and line.strip() and indent <= setting:
            setting = None
        if re.match(r"^\s*(ansible\.builtin\.)?set_fact:\s*$", line):
            setting = indent
        elif setting is not None:
            names.update(re.findall(r"^\s+(edx_api_access_[a-z0-9_]+):", line))
    return names


def name(document):
    return str(document.relative_to(REPO)) if document.is_relative_to(REPO) else document.name


def missing_targets(document, targets):
    problems = []
    for number, code in code_spans(document.read_text()):
        for target in make_targets(code):
            if target not in targets:
                problems.append(
                    "%s:%d: `make %s`: the Makefile has no target %s" % (name(document), number, target, target)
                )
    return problems


def missing_paths(document, repo=REPO):
    problems = []
    for number, code in code_spans(document.read_text()):
        for word in path_words(code):
            if document.name in EDX_PLATFORM_DOCS and word.split("/", 1)[0] in PACKAGE_FOLDERS:
                continue
            if not exists(word, repo):
                problems.append("%s:%d: `%s` does not exist in the repository" % (name(document), number, word))
    for number, target in links(document.read_text()):
        if "://" in target or target.startswith("mailto:"):
            continue
        file_part, _, anchor = target.partition("#")
        path = (document.parent / file_part).resolve() if file_part else document
        where = "%s:%d: link (%s)" % (name(document), number, target)
        if not path.exists():
            problems.append("%s: %s does not exist" % (where, file_part))
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            problems.append("%s: %s has no heading with the anchor #%s" % (where, path.name, anchor))
    return problems


def unknown_variables(document, variables):
    problems = []
    for number, line in enumerate(document.read_text().splitlines(), start=1):
        for variable in VARIABLE.findall(line):
            if variable not in variables:
                problems.append(
                    "%s:%d: %s is not a variable of the role edx_api_access (argument_specs.yml, "
                    "defaults/main.yml or a registered result)" % (name(document), number, variable)
                )
    return problems


def report(problems):
    return "\n".join(["%d reference(s) to nothing:" % len(problems), *problems])


@pytest.mark.parametrize("document", DOCUMENTS, ids=name)
def test_make_targets_exist(document):
    problems = missing_targets(document, makefile_targets())
    assert not problems, report(problems)


@pytest.mark.parametrize("document", DOCUMENTS, ids=name)
def test_repository_paths_exist(document):
    problems = missing_paths(document)
    assert not problems, report(problems)


@pytest.mark.parametrize("document", DOCUMENTS, ids=name)
def test_role_variables_exist(document):
    problems = unknown_variables(document, role_variables())
    assert not problems, report(problems)


def test_the_checks_name_the_document_line_and_missing_thing(tmp_path):
    """A document naming a missing target, path, anchor and variable fails on each, with its line."""
    document = tmp_path / "bad.md"
    document.write_text(
        "# Title\n"
        "Run `make demo` then `sudo make no-such-target LMS_PORT=1`.\n"
        "```sh\n"
        "ansible-playbook -i inventory.yml playbooks/no-such.yml  # playbooks/verify.yml exists; files make a program\n"
        "```\n"
        "See [the title](#title), [nothing](#nowhere), `/edx/bin/manage.edxapp`, `build/x.tar.gz`.\n"
        "Set `edx_api_access_lms_url` and edx_api_access_no_such_variable.\n"
    )
    assert missing_targets(document, makefile_targets()) == [
        "bad.md:2: `make no-such-target`: the Makefile has no target no-such-target"
    ]
    assert missing_paths(document) == [
        "bad.md:4: `playbooks/no-such.yml` does not exist in the repository",
        "bad.md:6: link (#nowhere): bad.md has no heading with the anchor #nowhere",
    ]
    problems = unknown_variables(document, role_variables())
    assert len(problems) == 1 and problems[0].startswith("bad.md:7: edx_api_access_no_such_variable is not")


def test_the_role_and_makefile_are_read():
    assert {"demo", "test", "bench-fleet", "fleet-up"} <= makefile_targets()
    assert {"edx_api_access_lms_url", "edx_api_access_client_secret", "edx_api_access_token"} <= role_variables()
