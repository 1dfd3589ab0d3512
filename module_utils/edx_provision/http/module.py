# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AnsibleModule of the HTTP modules (edx_token, edx_api_check, edx_enrollment): secrets masked readably.

AnsibleModule masks every substring equal to a no_log value, which garbles a refusal of a short secret
("print********le"). Here a result is masked first by masking.mask_secrets (short values only where
they stand whole, the invocation's options included); Ansible's own pass then sees only the long ones.
An lms_url with credentials in it (refused by the module) is masked too, or -vvv would show it.
"""

from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule

from ..masking import mask_secrets, substring_secrets


class EdxModule(AnsibleModule):
    """AnsibleModule whose exit_json and fail_json hide secrets without garbling messages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        url = self.params.get("lms_url")
        if isinstance(url, str) and "@" in urlsplit(url).netloc:
            self.no_log_values.update([url, urlsplit(url).netloc.rsplit("@", 1)[0]])

    def _masked(self, result):
        result.setdefault("invocation", {"module_args": self.params})
        masked = mask_secrets(result, self.no_log_values)
        self.no_log_values = set(substring_secrets(self.no_log_values))
        return masked

    def exit_json(self, **kwargs):
        super().exit_json(**self._masked(kwargs))

    def fail_json(self, msg, **kwargs):
        kwargs["msg"] = msg
        super().fail_json(**self._masked(kwargs))
