# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rules that turn the repository's short names into a collection's fully qualified ones.

The repository runs with `library`, `module_utils`, `doc_fragment_plugins` and `roles_path` set in
ansible.cfg, so its sources use short names. Inside a collection the same code must say
`ansible_collections.NS.NAME.plugins.module_utils.X` and `NS.NAME.edx_user`. Each rule below is
explicit about where it applies (an import statement found by `ast`, a documentation block, a task
key at a task's own indentation), so text that merely looks like a name is left alone.
Standard library only: `make collection` must not depend on anything but Python.
"""

import ast
import re
from dataclasses import dataclass, field

_DOC_VARIABLES = ("DOCUMENTATION", "EXAMPLES", "RETURN")
_MODULE_UTILS = "ansible.module_utils"


class RewriteError(ValueError):
    """A source uses a form the rules do not know how to qualify; a person must decide."""


@dataclass(frozen=True)
class Names:
    """What the collection is called and which short names belong to it."""

    namespace: str
    name: str
    modules: frozenset = field(default_factory=frozenset)
    module_utils: frozenset = field(default_factory=frozenset)  # top-level files (stems) and packages
    doc_fragments: frozenset = field(default_factory=frozenset)
    roles: frozenset = field(default_factory=frozenset)

    def fqcn(self, short):
        return "%s.%s.%s" % (self.namespace, self.name, short)

    @property
    def module_utils_package(self):
        return "ansible_collections.%s.%s.plugins.module_utils" % (self.namespace, self.name)


# --- Python: imports -------------------------------------------------------------------------------


def _is_local_module_utils(module, names):
    """`ansible.module_utils.edx_x[.y]` with edx_x one of ours (not basic, six, common, ...)."""
    if not module.startswith(_MODULE_UTILS + "."):
        return False
    return module[len(_MODULE_UTILS) + 1 :].split(".")[0] in names.module_utils


def _qualified_import(node, segment, names):
    """The rewritten text of one `from ... import ...` statement, or None to leave it."""
    module = node.module or ""
    if node.level:
        return None
    if _is_local_module_utils(module, names):
        new_module = names.module_utils_package + module[len(_MODULE_UTILS) :]
    elif module == _MODULE_UTILS:
        local = [alias.name for alias in node.names if alias.name in names.module_utils]
        if not local:
            return None
        if len(local) != len(node.names):
            raise RewriteError(
                "line %d imports our module_utils and Ansible's in one statement (%s); "
                "split it into two `from ansible.module_utils import` lines"
                % (node.lineno, ", ".join(alias.name for alias in node.names))
            )
        new_module = names.module_utils_package
    else:
        return None
    rewritten, count = re.subn(r"\Afrom\s+" + re.escape(module) + r"(?=\s)", "from " + new_module, segment)
    if count != 1:
        raise RewriteError("line %d: cannot find the module name in %r" % (node.lineno, segment))
    return rewritten


def _check_plain_imports(node, names):
    for alias in node.names:
        if _is_local_module_utils(alias.name, names):
            raise RewriteError(
                "line %d: `import %s` cannot be qualified; use `from ansible.module_utils.X import ...`"
                % (node.lineno, alias.name)
            )


def rewrite_imports(source, names):
    """Qualify every import of our module_utils, wherever it is (guarded in-LMS imports included)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            _check_plain_imports(node, names)
        elif isinstance(node, ast.ImportFrom):
            segment = ast.get_source_segment(source, node)
            new = _qualified_import(node, segment, names)
            if new is not None:
                edits.append((node, new))
    # Apply from the end so earlier offsets stay valid.
    for node, new in sorted(edits, key=lambda edit: (edit[0].lineno, edit[0].col_offset), reverse=True):
        first, last = node.lineno - 1, node.end_lineno - 1
        head = lines[first][: node.col_offset]
        tail = lines[last][node.end_col_offset :]
        lines[first : last + 1] = [head + new + tail]
    return "".join(lines)


# --- YAML-shaped text: documentation, examples, tasks ----------------------------------------------

_KEY = re.compile(r"^(?P<indent> *)(?P<dash>- +)?(?P<key>[A-Za-z_][\w.]*):(?P<rest>(?: .*)?)$")
_LIST_ITEM = re.compile(r"^(?P<indent> *)- +(?P<value>\S.*)?$")
_MARKUP = re.compile(r"\b(?P<kind>M)\((?P<target>[\w.]+)\)|\bP\((?P<plugin>[\w.]+)#(?P<ptype>\w+)\)")


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _qualify_value(rest, local, names):
    """`rest` of `key: value` with the value qualified when it is one of `local`."""
    match = re.fullmatch(r"(?P<space> +)(?P<quote>['\"]?)(?P<value>[\w.]+)(?P=quote)(?P<tail> *(?:#.*)?)", rest)
    if match and match.group("value") in local:
        return "%s%s%s%s%s" % (
            match.group("space"),
            match.group("quote"),
            names.fqcn(match.group("value")),
            match.group("quote"),
            match.group("tail"),
        )
    return rest


def rewrite_markup(text, names):
    """`M(edx_user)` and `P(edx_user#module)` in documentation text -> fully qualified."""

    def replace(match):
        if match.group("kind"):
            target = match.group("target")
            return "M(%s)" % names.fqcn(target) if target in names.modules else match.group(0)
        plugin, ptype = match.group("plugin"), match.group("ptype")
        local = names.modules if ptype == "module" else names.doc_fragments if ptype == "doc_fragment" else ()
        return "P(%s#%s)" % (names.fqcn(plugin), ptype) if plugin in local else match.group(0)

    return _MARKUP.sub(replace, text)


def rewrite_documentation(text, names):
    """DOCUMENTATION: fragment names, seealso entries and markup; the top-level `module:` stays short."""
    out = []
    block = None
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\n")
        match = _KEY.match(body)
        if match and not match.group("dash") and _indent(body) == 0:
            block = match.group("key")
            if block == "extends_documentation_fragment":
                rest = match.group("rest")
                body = body[: len(body) - len(rest)] + _qualify_fragment(rest, names) if rest.strip() else body
        elif block == "extends_documentation_fragment":
            item = _LIST_ITEM.match(body)
            if item and item.group("value"):
                body = body[: item.start("value")] + _qualify_fragment(" " + item.group("value"), names)[1:]
        elif block == "seealso" and match and match.group("key") in ("module", "plugin"):
            body = body[: len(body) - len(match.group("rest"))] + _qualify_value(
                match.group("rest"), names.modules if match.group("key") == "module" else names.doc_fragments, names
            )
        out.append(rewrite_markup(body, names) + line[len(line.rstrip("\n")) :])
    return "".join(out)


def _qualify_fragment(rest, names):
    """A fragment reference `edx_lms` or `edx_lms.VARIANT` -> `NS.NAME.edx_lms[.VARIANT]`."""
    match = _FRAGMENT_VALUE.fullmatch(rest)
    if match and match.group("base") in names.doc_fragments:
        return "%s%s%s%s%s%s" % (
            match.group("space"),
            match.group("quote"),
            names.fqcn(match.group("base")),
            match.group("variant") or "",
            match.group("quote"),
            match.group("tail"),
        )
    return rest


_FRAGMENT_VALUE = re.compile(
    r"(?P<space> +)(?P<quote>['\"]?)(?P<base>\w+)(?P<variant>\.\w+)?(?P=quote)(?P<tail> *(?:#.*)?)"
)
_INCLUDE_ROLE = re.compile(r"^(?:ansible\.builtin\.)?(?:include|import)_role$")


_TASK_LISTS = ("tasks", "pre_tasks", "post_tasks", "handlers", "block", "rescue", "always")


def rewrite_tasks(text, names):
    """Playbooks, role tasks and EXAMPLES: module keys of tasks, `role:` values, include_role names.

    Indentation says what each line belongs to: a stack of open keys (`users:`, `block:`) gives every
    list item and every key its parent. A list item is a task when it is top-level or under `tasks`,
    `block`, `rescue`, ... and a key is its module key when it sits at that task's key column. So
    set_fact variables, `vars:`, module options and entries of other lists are never touched.
    """
    out = []
    open_keys = []  # (column, key) of keys whose value is a nested block, innermost last
    items = []  # (key column, is a task) of the enclosing list items, innermost last

    def parent():
        return open_keys[-1][1] if open_keys else None

    for line in text.splitlines(keepends=True):
        body = line.rstrip("\n")
        ending = line[len(body) :]
        if not body.strip() or body.strip().startswith("#"):
            out.append(line)
            continue
        indent = _indent(body)
        item = _LIST_ITEM.match(body)
        if item:
            # A list sits under the nearest key left of it (or at its column: `key:\n- x`).
            while open_keys and open_keys[-1][0] > indent:
                open_keys.pop()
            key_column = item.start("value") if item.group("value") else indent + 2
            while items and items[-1][0] >= key_column:
                items.pop()
            items.append((key_column, parent() is None or parent() in _TASK_LISTS))
            if parent() == "roles" and item.group("value") in names.roles:
                body = body[: item.start("value")] + names.fqcn(item.group("value"))
        match = _KEY.match(body)
        if match:
            key_column = match.start("key")
            while open_keys and open_keys[-1][0] >= key_column:
                open_keys.pop()
            while items and items[-1][0] > key_column:
                items.pop()
            key, rest = match.group("key"), match.group("rest")
            prefix = body[:key_column]
            at_task_level = bool(items) and items[-1] == (key_column, True)
            if key in names.modules and at_task_level:
                body = prefix + names.fqcn(key) + ":" + rest
            elif key == "role" or (key == "name" and parent() and _INCLUDE_ROLE.match(parent())):
                body = prefix + key + ":" + _qualify_value(rest, names.roles, names)
            if not rest.strip():
                open_keys.append((key_column, key))
        out.append(body + ending)
    return "".join(out)


# --- Python files: imports plus their documentation strings ------------------------------------------

_DOC_RULES = {"DOCUMENTATION": rewrite_documentation, "EXAMPLES": rewrite_tasks, "RETURN": rewrite_markup}


def _doc_string_spans(tree):
    """(variable, first line, last line) of DOCUMENTATION/EXAMPLES/RETURN = "..." at module or class level."""
    bodies = [tree.body] + [node.body for node in tree.body if isinstance(node, ast.ClassDef)]
    for body in bodies:
        for node in body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in _DOC_VARIABLES
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                yield node.targets[0].id, node.value.lineno, node.value.end_lineno


_PROJECT_LAYOUT = re.compile(r"^# project layout begin\b.*?^# project layout end\n", re.S | re.M)


def drop_project_layout(source):
    """Without the block that makes ansible.cfg's module_utils folder importable on the controller."""
    return _PROJECT_LAYOUT.sub("", source)


def rewrite_python(source, names):
    """A module, module_utils, doc fragment or action plugin, qualified for the collection."""
    source = rewrite_imports(drop_project_layout(source), names)
    lines = source.splitlines(keepends=True)
    for variable, first, last in sorted(_doc_string_spans(ast.parse(source)), key=lambda span: -span[1]):
        # The string's lines as written: the YAML inside r\"\"\"...\"\"\" starts after the opening quotes.
        chunk = "".join(lines[first - 1 : last])
        lines[first - 1 : last] = [_DOC_RULES[variable](chunk, names)]
    return "".join(lines)
