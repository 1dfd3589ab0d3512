# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Documentation of the `users` list shared by edx_user and edx_access."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  users:
    description:
      - Several users, each with the options of M(edx_user).
      - In M(edx_user), mutually exclusive with the single-user options.
    type: list
    elements: dict
    suboptions:
      username:
        description: Username.
        type: str
        required: true
      email:
        description: E-mail address (required to create).
        type: str
      staff:
        description: Whether the user has C(is_staff).
        type: bool
      superuser:
        description: Whether the user has C(is_superuser).
        type: bool
      active:
        description: Whether the user is active.
        type: bool
      groups:
        description: Exact list of groups.
        type: list
        elements: str
      password:
        description: Password to set when it differs.
        type: str
      update_password:
        description: V(always) or V(on_create); defaults to the module's top-level C(update_password)
          option (V(always) in M(edx_access)).
        type: str
        choices: [always, on_create]
      state:
        description: V(present) or V(absent); defaults to the module's top-level C(state)
          option (V(present) in M(edx_access)).
        type: str
        choices: [present, absent]
      remove_owned_clients:
        description: Delete the user's OAuth2 clients with it; defaults to the module's top-level
          C(remove_owned_clients) option (V(false) in M(edx_access)).
        type: bool
"""
