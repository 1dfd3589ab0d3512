#!/usr/bin/env bash
# Benchmark baseline: what `tutor local do createuser --staff -p PASSWORD NAME EMAIL` runs in the LMS
# job container, no more: manage_user, then a `shell -c` snippet that sets the password, with the
# password spliced into the code (visible in the process list). One call per service account; it
# creates no OAuth2 client and reports no change. Kept only to measure against; never use it.
# Usage: tutor_createuser.sh PYTHON MANAGE_PY USERNAME EMAIL PASSWORD
set -euo pipefail
python=$1 manage=$2 username=$3 email=$4 password=$5

"$python" "$manage" lms manage_user --staff "$username" "$email"
"$python" "$manage" lms shell -c "from django.contrib.auth import get_user_model
user = get_user_model().objects.get(username='$username')
user.set_password('$password')
user.save()"
