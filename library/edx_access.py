#!/usr/bin/python
# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ansible module edx_access: service users, OAuth2 clients and a direct token in one LMS start."""

DOCUMENTATION = r"""
module: edx_access
short_description: Ensure users, OAuth2 clients and optionally tokens on an Open edX LMS in one LMS start
description:
  - Does what M(edx_user) and M(edx_oauth_client) do, for both lists together, in B(one) LMS process and
    B(one) database transaction - a real LMS takes 4 to 7 seconds to start, and a failure anywhere
    (a client owned by someone else, a bad secret, a missing group) leaves the LMS exactly as it was.
  - Users are planned first, so a client may be owned by a user the same call creates. Users are created
    and updated before the clients and removed after them, and a user removed here does not count a
    client this same call removes as its own (so O(users[].remove_owned_clients) is only needed for the
    clients the call does not name).
  - With O(direct_tokens), also creates bearer tokens for some of the clients, inside the LMS, in the same
    process (for LMSes whose OAuth2 endpoints are off). You choose each token's value, so it never
    travels back in the result.
  - The role C(edx_api_access) uses this module for its LMS side.
author: edx-provision maintainers (!UNKNOWN)
version_added: "0.2.0"
extends_documentation_fragment:
  - edx_lms
  - edx_users
  - edx_clients
options:
  direct_tokens:
    description:
      - Bearer tokens to create once the users and clients are as stated, one per entry. Check mode makes
        none (a token is a row in the LMS's database); RV(tokens) then holds null for each.
    type: list
    elements: dict
    suboptions:
      client_id:
        description: The client the token belongs to.
        type: str
        required: true
      value:
        description:
          - The token itself, 32 to 255 letters, digits, C(-) and C(_). Generate it on the controller (for
            example with C(lookup('community.general.random_string', length=40, special=false))) and keep it.
        type: str
        required: true
      username:
        description: The user the token acts as; defaults to the client's owner.
        type: str
      scope:
        description: Scopes of the token; defaults to the LMS's default scopes.
        type: list
        elements: str
      expires_in:
        description: Lifetime in seconds.
        type: int
        default: 36000
attributes:
  check_mode:
    support: full
    description: >-
      Reads the LMS and reports what would change, with the same code as a real run, and writes nothing: no
      management command runs, no token is made, and for each removal the rows the LMS would delete with it are
      read, so a cascade the real run cannot complete fails in check mode too.
  diff_mode:
    support: full
    description: Before and after state of every changed user and client; secrets show as markers.
notes:
  - Entries of O(users) default to C(state=present), C(update_password=always), C(remove_owned_clients=false);
    entries of O(clients) to C(state=present), C(return_secret=false), C(allow_owner_change=false).
seealso:
  - module: edx_user
  - module: edx_oauth_client
  - module: edx_token
"""

EXAMPLES = r"""
- name: Service user and its OAuth2 client, in one LMS start
  edx_access:
    users:
      - username: enrollment-bot
        email: enrollment-bot@example.com
        staff: true
        active: true
    clients:
      - name: enrollment-bot
        owner: enrollment-bot
        client_id: enrollment-bot
        client_secret: "{{ vault_enrollment_bot_secret }}"
        grant_type: client_credentials
  become: true
  become_user: www-data
"""

RETURN = r"""
users:
  description: One entry per requested user, as M(edx_user) returns them.
  returned: always
  type: list
  elements: dict
clients:
  description: One entry per requested client, as M(edx_oauth_client) returns them.
  returned: always
  type: list
  elements: dict
tokens:
  description:
    - One entry per entry of O(direct_tokens), in order, describing the token made without its value (you
      chose it); null for a token check mode did not make.
  returned: when O(direct_tokens) is given
  type: list
  elements: dict
  contains:
    username:
      description: The user the token acts as.
      type: str
    scope:
      description: Space-separated scopes.
      type: str
    token_type:
      description: Always V(bearer).
      type: str
    expires_in:
      description: Lifetime in seconds.
      type: int
    expires_at:
      description: Expiry, ISO 8601 UTC.
      type: str
"""

from ansible.module_utils.edx_provision.lms.tasks import main_without_action_plugin


def main():
    main_without_action_plugin("edx_access")


if __name__ == "__main__":
    main()
