#!/usr/bin/python
# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ansible module edx_oauth_client: ensure OAuth2 clients (django-oauth-toolkit or, on Ginkgo, DOP) on an LMS."""

DOCUMENTATION = r"""
module: edx_oauth_client
short_description: Ensure OAuth2 clients exist on an Open edX LMS
description:
  - Creates, updates or removes django-oauth-toolkit applications (OAuth2 clients) on an Open edX LMS
    (Hawthorn and later) through the LMS's own C(create_dot_application) command, with every option
    passed, so edx's logic runs. On Ginkgo, django-oauth2-provider clients through C(create_oauth2_client),
    or django-oauth-toolkit applications as Django admin writes them (see O(backend)).
  - A client is found by O(client_id) when given, else by O(owner) and O(name), which is the
    command's own key. An option left out is left as it is on the LMS.
  - What C(create_dot_application) cannot express is applied through the ORM, in the same process and
    transaction - another owner (with O(allow_owner_change)) or name for an existing O(client_id),
    O(scopes=[]), and O(state=absent).
  - Client secrets are compared, never read back - with the LMS's password hashers when it stores them
    hashed (django-oauth-toolkit 2 and later), in constant time when in clear (1.x, today's pin). A
    changed secret is reported as a change.
  - The LMS logs client secrets when C(create_dot_application) runs; the module mutes that logger.
  - One LMS process per call for one client or a list; all clients are validated first and applied in
    one transaction, so a bad entry changes nothing.
author: edx-provision maintainers (!UNKNOWN)
version_added: "0.1.0"
extends_documentation_fragment:
  - edx_lms
  - edx_clients
options:
  name:
    description: Application name. Required, with O(owner), to create a client.
    type: str
  owner:
    description:
      - Username of the LMS user the application belongs to. Client-credentials tokens act as this user.
      - Must exist (see M(edx_user)).
    type: str
  client_id:
    description:
      - The client id. Generated when a client is created without one (see RV(clients[].client_id)).
      - Given with O(name) and O(owner), all three must name the same client or none; the id of an
        existing client is never changed (remove the client first to re-key it).
    type: str
  client_secret:
    description:
      - The client secret; set when it differs from the stored one.
      - Left out, an existing client keeps its secret and a new one gets a generated secret, returned
        only with O(return_secret=true).
    type: str
  grant_type:
    description:
      - The grant the application may use, spelled as in OAuth2 (the LMS stores C(client-credentials)).
        V(client_credentials) for server-to-server access, V(password) for the resource-owner password grant.
      - Defaults to V(client_credentials) on creation; left as it is otherwise.
    type: str
    choices: [client_credentials, password, authorization_code, implicit]
  client_type:
    description: V(confidential) (has a secret) or V(public). Defaults to V(confidential) on creation.
    type: str
    choices: [confidential, public]
  redirect_uris:
    description: Redirect URIs; required for V(authorization_code) and V(implicit). Defaults to none on creation.
    type: list
    elements: str
  scopes:
    description:
      - Scopes the application may request beyond the LMS's defaults (edx's ApplicationAccess), for
        example V(user_id), V(grades:read). V([]) removes them all. Compared as a set (order does not
        matter). The access row's C(filters) (for example C(content_org:X)) are kept and reported.
      - Not on LMSes older than Hawthorn (Ginkgo), which have no ApplicationAccess; the task fails naming this option.
    type: list
    elements: str
  skip_authorization:
    description: Skip the user's consent screen. Defaults to V(false) on creation.
    type: bool
  state:
    description:
      - V(present) or V(absent); also the default for entries of O(clients).
      - V(absent) deletes only a client that matches every identity given (O(client_id), O(owner), O(name));
        a mismatch fails and nothing changes.
    type: str
    default: present
    choices: [present, absent]
  allow_owner_change:
    description:
      - A client found by O(client_id) that belongs to another user than O(owner) is moved to O(owner)
        (and renamed to O(name)) only with V(true). With V(false) the task fails naming the current owner,
        and nothing changes.
      - Also the default for entries of O(clients).
    type: bool
    default: false
  return_secret:
    description:
      - Return a generated client secret as RV(clients[].client_secret). Register the result with
        C(no_log) or store the secret in a vault; the secret cannot be read back later.
      - Also the default for entries of O(clients).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reads the LMS and reports what would change; writes nothing.
  diff_mode:
    support: full
    description: Before and after state of every changed client; a secret change shows as a marker.
notes:
  - On Ginkgo the clients are django-oauth2-provider clients by default (O(backend=auto)); see O(backend)
    for that back end and for django-oauth-toolkit applications on Ginkgo.
seealso:
  - module: edx_user
  - module: edx_token
"""

EXAMPLES = r"""
- name: Client for server-to-server API access, secret from the vault
  edx_oauth_client:
    name: enrollment-bot
    owner: enrollment-bot
    client_id: enrollment-bot
    client_secret: "{{ vault_enrollment_bot_client_secret }}"
    grant_type: client_credentials
  become: true
  become_user: www-data

- name: Let the LMS generate the secret and hand it back once
  edx_oauth_client:
    name: reporting
    owner: reporting
    return_secret: true
  register: reporting_client
  no_log: true

- name: Several clients on a Tutor host
  edx_oauth_client:
    runner: tutor_local
    clients:
      - client_id: grades-exporter
        name: grades-exporter
        owner: reporting
        scopes: [grades:read]
      - client_id: legacy-app
        state: absent
"""

RETURN = r"""
clients:
  description: One entry per requested client, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Application name.
      type: str
      sample: enrollment-bot
    client_id:
      description: The client id (null in check mode for a client that would get a generated id).
      type: str
      sample: enrollment-bot
    action:
      description: What was done (or, in check mode, would be done).
      type: str
      choices: [create, update, delete, none]
      sample: create
    changes:
      description: Properties that changed; V(client_secret) when the secret was set.
      type: list
      elements: str
      sample: [grant_type, client_secret]
    before:
      description: The client's state before, or null when it did not exist.
      type: dict
      sample: null
    after:
      description: The client's state after, or null when removed.
      type: dict
      sample: {"client_id": "enrollment-bot", "name": "enrollment-bot", "owner": "enrollment-bot",
               "client_type": "confidential", "grant_type": "client_credentials", "redirect_uris": [],
               "skip_authorization": false, "scopes": [], "filters": []}
    client_secret:
      description: The generated secret of a created client (null when none was generated).
      returned: when O(return_secret=true)
      type: str
"""

from ansible.module_utils.edx_provision.lms.tasks import main_without_action_plugin


def main():
    main_without_action_plugin("edx_oauth_client")


if __name__ == "__main__":
    main()
