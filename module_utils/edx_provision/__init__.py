# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""edx-provision's shared code, in packages by where it runs.

inlms/  inside the LMS (`manage.py lms shell`), under the LMS's own Python (2.7 to 3.x)
lms/    on the controller, in the action plugin: starts the LMS over the task's connection
http/   in the module process (normally on the controller): HTTP to the LMS with requests

Nothing imports upward: inlms/ imports only its siblings; http/ imports neither lms/ nor inlms/;
lms/ may import http/ and vocabulary, and refers to inlms/ only to send its source (programs.py).
"""
