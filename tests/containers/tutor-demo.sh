#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `make tutor-demo`: the demo through the real Tutor CLI against the Tutor project of `make containers-up`:
# provision, a rerun that must report changed=0, one learner enrolled (created with the LMS's own
# manage_user, as an operator would), one measured LMS start, then verify, which shows the API's answer.
# Prints the versions it used, the LMS starts and the wall time of each step.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${CONTAINERS_DIR:-.containers}
test -f "$dir/inventory.yml" || { echo "no containers in $dir: run make containers-up first" >&2; exit 1; }
eval "$(.venv/bin/python tests/containers/containers.py env --dir "$dir")"
export PATH="$PWD/.venv/bin:$PATH" ANSIBLE_CONFIG="$PWD/ansible.cfg"
playbook() { ansible-playbook -i "$dir/inventory.yml" --limit tutor-lms "$@"; }
step() { printf '\n=== %s\n' "$*"; }

tutor --version
docker compose version
# The LMS starts recorded in the container's boots.log; none yet on a new project.
boots() {
  local log="$TUTOR_ROOT/data/lms/standin/boots.log"
  if [ -f "$log" ]; then wc -l < "$log"; else echo 0; fi
}
start_boots=$(boots)

step "provision (first run)"
SECONDS=0; playbook playbooks/provision.yml; first=$SECONDS

step "provision again: must report changed=0"
SECONDS=0; out=$(playbook playbooks/provision.yml) || { echo "$out"; exit 1; }; again=$SECONDS
echo "$out" | sed -n '/PLAY RECAP/,$p'
echo "$out" | grep -Eq '^tutor-lms +: .* changed=0 ' || { echo "the rerun changed something" >&2; exit 1; }

step "enroll one learner"
tutor local exec -T lms ./manage.py lms manage_user demo-learner demo-learner@example.com
SECONDS=0
playbook playbooks/enroll.yml -e '{"edx_api_access_enrollments": [{"username": "demo-learner",
  "course_id": "course-v1:edX+DemoX+Demo_Course"}]}'
enrolled=$SECONDS

step "one LMS start through tutor local exec, measured"
start=$(date +%s.%N)
tutor local exec -T lms ./manage.py lms shell -c 'pass'
start_seconds=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$start" "$(date +%s.%N)")

step "verify"
SECONDS=0; playbook playbooks/verify.yml; verified=$SECONDS

step "what it cost"
echo "tutor local exec + one LMS start: ${start_seconds} s"
echo "LMS starts inside the container (boots.log): $(( $(boots) - start_boots )) (2 provision runs, manage_user and" \
  "the measured start; enroll and verify need none)"
echo "wall time: provision ${first} s, rerun ${again} s, enroll ${enrolled} s, verify ${verified} s"
