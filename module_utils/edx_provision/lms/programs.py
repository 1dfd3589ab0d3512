# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The in-LMS programs: for each entry point, the inlms files that make it, in order.

The one place on the controller that refers to inlms/: their source is sent into the LMS (the
program is the files concatenated, base first), never called here.
"""

import inspect

from ..inlms import access, base, clients, dop_clients, tokens, users

PROGRAMS = {
    "ensure_users": (base, users),
    "ensure_oauth_clients": (base, clients, dop_clients),
    "ensure_access": (base, users, clients, dop_clients, tokens, access),
}


def program_source(entry):
    """The source of the program whose entry point is `entry`."""
    return "\n\n".join(inspect.getsource(part) for part in PROGRAMS[entry])
