# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Documentation of the `clients` list shared by edx_oauth_client and edx_access."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  backend:
    description:
      - Where the LMS keeps OAuth2 clients.
      - V(dot) is django-oauth-toolkit through C(create_dot_application) (Hawthorn and later). On Ginkgo,
        which has django-oauth-toolkit but not the command, the application is written as Django admin
        writes it (validated by the model, then saved); it has no O(clients[].scopes) there (edx's
        ApplicationAccess came with Hawthorn).
      - V(dop) is django-oauth2-provider through C(create_oauth2_client) (Ginkgo). Its output, which
        holds the secret and the owner's password hash, is discarded inside the LMS. A DOP client has
        one redirect URI (V([]) leaves it as it is; a new client gets the LMS's root URL) and no scopes
        or grant type (DOP allows every grant); O(clients[].skip_authorization) is its trusted status.
      - V(auto) decides inside the LMS, in the same start, V(dop) when C(create_dot_application) is
        missing and django-oauth2-provider is installed, else V(dot).
      - On an LMS with both back ends (Ginkgo) a client_id lives in one of them, since the token endpoint
        sends a client_id to django-oauth-toolkit whenever it holds it. A task for one back end fails,
        with nothing changed, when the other holds the client_id it names, unless it removes its own
        copy of a client_id both back ends hold.
    type: str
    default: auto
    choices: [auto, dot, dop]
  clients:
    description:
      - Several clients, each with the options of M(edx_oauth_client).
      - In M(edx_oauth_client), mutually exclusive with the single-client options.
    type: list
    elements: dict
    suboptions:
      name:
        description: Application name.
        type: str
      owner:
        description: Username of the owner.
        type: str
      client_id:
        description: The client id.
        type: str
      client_secret:
        description: The client secret.
        type: str
      grant_type:
        description: The grant type.
        type: str
        choices: [client_credentials, password, authorization_code, implicit]
      client_type:
        description: V(confidential) or V(public).
        type: str
        choices: [confidential, public]
      redirect_uris:
        description: Redirect URIs.
        type: list
        elements: str
      scopes:
        description: Extra scopes.
        type: list
        elements: str
      skip_authorization:
        description: Skip the consent screen.
        type: bool
      state:
        description: V(present) or V(absent); defaults to the module's top-level C(state)
          option (V(present) in M(edx_access)).
        type: str
        choices: [present, absent]
      return_secret:
        description: Return a generated secret; defaults to the module's top-level C(return_secret)
          option (V(false) in M(edx_access)).
        type: bool
      allow_owner_change:
        description: Move a client of another owner to this owner; defaults to the module's top-level
          C(allow_owner_change) option (V(false) in M(edx_access)).
        type: bool
"""
