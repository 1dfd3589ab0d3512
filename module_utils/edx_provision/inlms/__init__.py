# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs inside the LMS: the in-LMS program, sent as source (lms/programs.py) and run by `manage.py lms shell`.

Standard library, Django and the LMS's packages only; Python 2.7 to 3.x syntax (Ginkgo runs 2.7).
"""
