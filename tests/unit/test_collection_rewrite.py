"""The rules of tools/collection_rewrite.py: what they qualify for the collection, and what they leave alone."""

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "tools" / "collection_rewrite.py"
_spec = importlib.util.spec_from_file_location("edx_provision_collection_rewrite", _PATH)
rw = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = rw  # dataclasses look the module up while the class is made
_spec.loader.exec_module(rw)

NAMES = rw.Names(
    namespace="ns",
    name="coll",
    modules=frozenset({"edx_user", "edx_token", "edx_access"}),
    module_utils=frozenset({"edx_inlms_base", "edx_inlms_users", "edx_http", "edx_pkg"}),
    doc_fragments=frozenset({"edx_lms", "edx_http"}),
    roles=frozenset({"edx_api_access"}),
)
PKG = "ansible_collections.ns.coll.plugins.module_utils"


def dedent(text):
    return textwrap.dedent(text).lstrip("\n")


# --- imports -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from ansible.module_utils.edx_http import session\n", "from %s.edx_http import session\n" % PKG),
        ("from ansible.module_utils.edx_pkg.inner import thing\n", "from %s.edx_pkg.inner import thing\n" % PKG),
        (
            "from ansible.module_utils import edx_inlms_base, edx_inlms_users\n",
            "from %s import edx_inlms_base, edx_inlms_users\n" % PKG,
        ),
        (
            "from ansible.module_utils.edx_http import (\n    a,\n    b,\n)\n",
            "from %s.edx_http import (\n    a,\n    b,\n)\n" % PKG,
        ),
    ],
)
def test_imports_of_our_module_utils_are_qualified(source, expected):
    assert rw.rewrite_imports(source, NAMES) == expected


@pytest.mark.parametrize(
    "source",
    [
        "from ansible.module_utils.basic import AnsibleModule\n",
        "from ansible.module_utils import basic\n",
        "from ansible.module_utils.edx_lms_basement import x\n",  # a longer name that only starts like ours
        "from ansible.plugins.action import ActionBase\n",
        "from .edx_http import session\n",
        'TEXT = "from ansible.module_utils.edx_http import session"\n',
        "# from ansible.module_utils.edx_http import session\n",
    ],
)
def test_other_imports_and_lookalike_text_are_left_alone(source):
    assert rw.rewrite_imports(source, NAMES) == source


def test_guarded_in_lms_imports_keep_their_guard_and_indentation():
    """The in-LMS program concatenates module sources; inside the LMS __name__ is 'edx_provision'."""
    source = dedent("""
        if __name__ != "edx_provision":  # imported by the module or the tests
            from ansible.module_utils.edx_inlms_base import (
                ENTRY_POINTS,
                ProvisionError,
            )


        def main(request):
            return request
    """)
    rewritten = rw.rewrite_imports(source, NAMES)
    assert rewritten == source.replace("from ansible.module_utils.edx_inlms_base", "from %s.edx_inlms_base" % PKG)
    namespace = {"__name__": "edx_provision"}
    exec(compile(rewritten, "<edx_provision>", "exec"), namespace)  # as the bootstrap runs it in the LMS
    assert namespace["main"]({"ok": 1}) == {"ok": 1}


def test_two_imports_on_one_line_are_both_qualified():
    source = "from ansible.module_utils.edx_http import a; from ansible.module_utils.edx_inlms_base import b\n"
    assert rw.rewrite_imports(source, NAMES) == (
        "from %s.edx_http import a; from %s.edx_inlms_base import b\n" % (PKG, PKG)
    )


def test_mixed_import_fails_naming_the_line_and_the_fix():
    with pytest.raises(rw.RewriteError, match=r"line 2 .*basic, edx_http.*split it"):
        rw.rewrite_imports("import os\nfrom ansible.module_utils import basic, edx_http\n", NAMES)


def test_plain_import_of_our_module_utils_fails():
    with pytest.raises(rw.RewriteError, match=r"line 1: `import ansible.module_utils.edx_http`"):
        rw.rewrite_imports("import ansible.module_utils.edx_http\n", NAMES)


# --- DOCUMENTATION -------------------------------------------------------------------------------------


def test_documentation_qualifies_fragments_seealso_and_markup_but_not_the_module_itself():
    doc = dedent("""
        module: edx_user
        short_description: Ensure users; see M(edx_token) and M(ansible.builtin.uri)
        description:
          - Like P(edx_access#module), unlike P(edx_user#lookup).
        extends_documentation_fragment:
          - edx_lms
          - edx_http.tokens
          - action_common_attributes
        options:
          module:
            description: An option called module stays.
        seealso:
          - module: edx_token
          - module: ansible.builtin.uri
          - plugin: edx_lms
            plugin_type: doc_fragment
    """)
    assert rw.rewrite_documentation(doc, NAMES) == dedent("""
        module: edx_user
        short_description: Ensure users; see M(ns.coll.edx_token) and M(ansible.builtin.uri)
        description:
          - Like P(ns.coll.edx_access#module), unlike P(edx_user#lookup).
        extends_documentation_fragment:
          - ns.coll.edx_lms
          - ns.coll.edx_http.tokens
          - action_common_attributes
        options:
          module:
            description: An option called module stays.
        seealso:
          - module: ns.coll.edx_token
          - module: ansible.builtin.uri
          - plugin: ns.coll.edx_lms
            plugin_type: doc_fragment
    """)


def test_single_fragment_on_the_key_line_is_qualified():
    assert rw.rewrite_documentation("extends_documentation_fragment: edx_lms\n", NAMES) == (
        "extends_documentation_fragment: ns.coll.edx_lms\n"
    )


# --- tasks: EXAMPLES, role tasks, playbooks --------------------------------------------------------


def test_task_module_keys_are_qualified_and_nothing_else():
    tasks = dedent("""
        # edx_user: in a comment stays
        - name: A user
          edx_user:
            username: bot
            users:
              - edx_token: a list entry's key is not a task's module
          register: edx_user

        - edx_token:
            method: direct

        - name: Keep it
          ansible.builtin.set_fact:
            edx_token: "{{ edx_user }}"
          vars:
            edx_access: 1

        - name: A block
          when: true
          block:
            - name: Inner
              vars:
                items:
                  - one
              edx_access:
                users: []
          rescue:
            - edx_user:
                username: x
    """)
    assert rw.rewrite_tasks(tasks, NAMES) == dedent("""
        # edx_user: in a comment stays
        - name: A user
          ns.coll.edx_user:
            username: bot
            users:
              - edx_token: a list entry's key is not a task's module
          register: edx_user

        - ns.coll.edx_token:
            method: direct

        - name: Keep it
          ansible.builtin.set_fact:
            edx_token: "{{ edx_user }}"
          vars:
            edx_access: 1

        - name: A block
          when: true
          block:
            - name: Inner
              vars:
                items:
                  - one
              ns.coll.edx_access:
                users: []
          rescue:
            - ns.coll.edx_user:
                username: x
    """)


def test_role_references_are_qualified():
    playbook = dedent("""
        - name: Roles
          hosts: lms
          roles:
            - role: edx_api_access
            - edx_api_access
            - other_role
          tasks:
            - name: Include
              ansible.builtin.include_role:
                name: edx_api_access
                tasks_from: verify
            - name: edx_api_access
              ansible.builtin.import_role:
                name: "edx_api_access"
            - name: Not a role
              ansible.builtin.debug:
                msg: edx_api_access
              loop:
                - edx_api_access
    """)
    assert rw.rewrite_tasks(playbook, NAMES) == dedent("""
        - name: Roles
          hosts: lms
          roles:
            - role: ns.coll.edx_api_access
            - ns.coll.edx_api_access
            - other_role
          tasks:
            - name: Include
              ansible.builtin.include_role:
                name: ns.coll.edx_api_access
                tasks_from: verify
            - name: edx_api_access
              ansible.builtin.import_role:
                name: "ns.coll.edx_api_access"
            - name: Not a role
              ansible.builtin.debug:
                msg: edx_api_access
              loop:
                - edx_api_access
    """)


# --- a whole Python file ---------------------------------------------------------------------------


def test_python_file_rules_apply_to_its_doc_strings_only():
    source = dedent('''
        #!/usr/bin/python
        """Module edx_user: M(edx_token) in a module docstring is not documentation YAML."""

        DOCUMENTATION = r"""
        module: edx_user
        description: Pairs with M(edx_token).
        extends_documentation_fragment:
          - edx_lms
        """

        EXAMPLES = r"""
        - name: Example
          edx_user:
            username: bot
        """

        RETURN = r"""
        users:
          description: As M(edx_access) returns them.
        """

        from ansible.module_utils.edx_http import session

        NOTE = "M(edx_token)"
        TASK = """
        - edx_user:
        """
    ''')
    rewritten = rw.rewrite_python(source, NAMES)
    assert rewritten == (
        source.replace("Pairs with M(edx_token)", "Pairs with M(ns.coll.edx_token)")
        .replace("  - edx_lms", "  - ns.coll.edx_lms")
        .replace("  edx_user:\n    username", "  ns.coll.edx_user:\n    username")
        .replace("As M(edx_access)", "As M(ns.coll.edx_access)")
        .replace("from ansible.module_utils.edx_http", "from %s.edx_http" % PKG)
    )


def test_doc_fragment_class_documentation_is_rewritten():
    source = dedent('''
        class ModuleDocFragment:
            DOCUMENTATION = r"""
        options:
          users:
            description: Each with the options of M(edx_user).
        """
    ''')
    assert "M(ns.coll.edx_user)" in rw.rewrite_python(source, NAMES)


def test_the_project_layout_block_of_action_plugins_is_dropped_and_the_rest_qualified():
    repo = Path(__file__).resolve().parents[2]
    source = (repo / "action_plugins" / "edx_user.py").read_text()
    names = rw.Names(**{**NAMES.__dict__, "module_utils": NAMES.module_utils | {"edx_provision"}})
    rewritten = rw.rewrite_python(source, names)
    assert "project layout" not in rewritten and "sys.modules" not in rewritten and "import os" not in rewritten
    assert "from %s.edx_provision.lms.action import run_action" % PKG in rewritten
    assert "class ActionModule(ActionBase):" in rewritten
