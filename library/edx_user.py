#!/usr/bin/python
# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ansible module edx_user: ensure Open edX LMS service users."""

DOCUMENTATION = r"""
module: edx_user
short_description: Ensure users exist on an Open edX LMS, with their flags, groups and password
description:
  - Creates, updates or removes LMS users through the LMS's own C(manage_user) management command,
    so edx's logic (user profile, e-mail checks) runs.
  - Unlike C(manage_user), whose flags are absolute, an option left out is left as it is on the LMS.
  - One LMS process per call, for one user or a list of them; all users of a call are validated first
    and applied in one transaction, so a bad entry changes nothing.
  - The e-mail address of an existing user is never changed; a different address fails and names both.
author: edx-provision maintainers (!UNKNOWN)
version_added: "0.1.0"
extends_documentation_fragment:
  - edx_lms
  - edx_users
options:
  username:
    description: Username of the single user to manage. Use O(users) for several.
    type: str
  email:
    description:
      - E-mail address. Required to create a user; for an existing user it must match the LMS's
        (compared case-insensitively).
    type: str
  staff:
    description: Whether the user has C(is_staff) (global staff; needed to enroll other users). Left as it is when omitted.
    type: bool
  superuser:
    description: Whether the user has C(is_superuser). Left as it is when omitted.
    type: bool
  active:
    description:
      - Whether the user is active (C(is_active)); an inactive user's tokens stop working. V(true) on
        creation when omitted; left as it is otherwise.
    type: bool
  groups:
    description:
      - The exact list of Django groups of the user; V([]) removes all. Left as it is when omitted.
      - Every group must exist on the LMS.
    type: list
    elements: str
  password:
    description:
      - Password to set. Compared with the LMS's password hashers, set only when it differs (see
        O(update_password)). Left as it is when omitted; a new user then gets a random unknown password.
      - Never logged, returned or put on a command line.
    type: str
  update_password:
    description:
      - V(always) sets O(password) whenever it differs from the current one; V(on_create) only when the
        user is created.
      - Also the default for entries of O(users).
    type: str
    default: always
    choices: [always, on_create]
  state:
    description:
      - V(present) creates or updates the user, V(absent) removes it (with C(manage_user --remove)).
      - Also the default for entries of O(users).
    type: str
    default: present
    choices: [present, absent]
  remove_owned_clients:
    description:
      - The LMS deletes a user's OAuth2 clients with the user. With V(false), removing a user that owns
        clients fails, naming them, and nothing changes; with V(true) the clients are deleted with the
        user and listed in RV(users[].removed_clients) and the diff.
      - Also the default for entries of O(users).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reads the LMS and reports what would change; writes nothing.
  diff_mode:
    support: full
    description: Before and after state of every changed user; a password change shows as a marker.
notes:
  - Users are looked up by username, as C(manage_user) does.
seealso:
  - module: edx_oauth_client
"""

EXAMPLES = r"""
- name: Service user for API access on a native LMS
  edx_user:
    username: enrollment-bot
    email: enrollment-bot@example.com
    staff: true
    password: "{{ vault_enrollment_bot_password }}"
  become: true
  become_user: www-data

- name: Several users on a Tutor host; leave their other flags alone
  edx_user:
    runner: tutor_local
    users:
      - username: reporting
        email: reporting@example.com
        groups: [api-readers]
      - username: old-integration
        state: absent

- name: Set the password only when the user is created
  edx_user:
    username: support
    email: support@example.com
    password: "{{ vault_support_password }}"
    update_password: on_create
"""

RETURN = r"""
users:
  description: One entry per requested user, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    username:
      description: The username.
      type: str
      sample: enrollment-bot
    action:
      description: What was done (or, in check mode, would be done).
      type: str
      choices: [create, update, delete, none]
      sample: update
    changes:
      description: Properties that changed; V(password) when the password was set.
      type: list
      elements: str
      sample: [is_staff]
    before:
      description: The user's state before, or null when it did not exist.
      type: dict
      sample: {"username": "enrollment-bot", "email": "enrollment-bot@example.com", "is_staff": false,
               "is_superuser": false, "is_active": true, "groups": [], "has_usable_password": true}
    removed_clients:
      description: client_ids of the OAuth2 clients deleted with a removed user.
      returned: when the user is removed
      type: list
      elements: str
    after:
      description: The user's state after, or null when removed.
      type: dict
      sample: {"username": "enrollment-bot", "email": "enrollment-bot@example.com", "is_staff": true,
               "is_superuser": false, "is_active": true, "groups": [], "has_usable_password": true}
"""

from ansible.module_utils.edx_provision.lms.tasks import main_without_action_plugin


def main():
    main_without_action_plugin("edx_user")


if __name__ == "__main__":
    main()
