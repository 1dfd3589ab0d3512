#!/usr/bin/env bash
# Run the role's molecule scenario against a stand-in LMS of its own (own port and state
# directory, so a developer's `make lms-up` instance is left alone), then stop it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
python="$repo/.venv/bin/python"
export LMS_PORT
LMS_PORT=${MOLECULE_LMS_PORT:-$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
export LMS_STATE_DIR
LMS_STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/edx-molecule-lms.XXXXXX")
export LMS_SETTINGS=production
cleanup() {
  "$python" "$repo/tests/lms/control.py" down || true
  rm -rf "$LMS_STATE_DIR"
}
trap cleanup EXIT
"$python" "$repo/tests/lms/control.py" up
cd "$repo/roles/edx_api_access"
PATH="$repo/.venv/bin:$PATH" molecule test
