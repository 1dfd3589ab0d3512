# edx-provision: every entry point an operator or CI uses. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements

# The stand-in LMS that demo, provision and lms-up/down talk to. Several can run side
# by side with different ports and state directories.
LMS_PORT ?= 18000
LMS_STATE_DIR ?= .lms
LMS_SETTINGS ?= production
override LMS_STATE_DIR := $(abspath $(LMS_STATE_DIR))
export LMS_PORT LMS_STATE_DIR LMS_SETTINGS

export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(BIN):$(PATH)
# The ginkgo flavour has its own demo inventory: HTTPS with the test CA, Django 1.8's console.
INVENTORY ?= inventories/standin$(if $(filter ginkgo,$(LMS_SETTINGS)),-ginkgo).yml
PLAYBOOK := $(BIN)/ansible-playbook -i $(INVENTORY)
# `make demo-ginkgo`: a Ginkgo-era stand-in beside the default one.
GINKGO_PORT ?= 18001
GINKGO_STATE_DIR ?= .lms-ginkgo
ARGS ?=

# The fleet of SSH test hosts (tests/fleet): network namespaces on this machine, needs root.
FLEET_SIZE ?= 3
FLEET_DIR ?= .fleet
override FLEET_DIR := $(abspath $(FLEET_DIR))
export FLEET_SIZE FLEET_DIR
FLEET_PLAYBOOK := $(BIN)/ansible-playbook -i $(FLEET_DIR)/inventory.yml

# The container LMSs (tests/containers): a private dockerd, the stand-in image, a docker runner container
# and a Tutor project driven by the real `tutor` CLI. Needs root.
CONTAINERS_DIR ?= .containers
override CONTAINERS_DIR := $(abspath $(CONTAINERS_DIR))
export CONTAINERS_DIR

.PHONY: help venv lms-up lms-down demo demo-ginkgo provision verify test lint unit contract integration \
        molecule fleet collection collection-demo collection-test bench bench-enroll bench-fleet fleet-up fleet-down \
        fleet-provision fleet-verify fleet-inventory containers containers-up containers-down tutor-demo clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.txt tests/lms/requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(STAMP) ## create .venv with the pinned requirements

lms-up: $(STAMP) ## start the stand-in LMS (LMS_PORT, LMS_STATE_DIR, LMS_SETTINGS)
	$(BIN)/python tests/lms/control.py up

lms-down: ## stop the stand-in LMS recorded in LMS_STATE_DIR
	$(PYTHON) tests/lms/control.py down

demo: lms-up ## provision the stand-in LMS and show the enrollment API's answer
	$(PLAYBOOK) playbooks/provision.yml $(ARGS)

demo-ginkgo: ## demo against a Ginkgo-era stand-in (GINKGO_PORT 18001, GINKGO_STATE_DIR .lms-ginkgo)
	$(MAKE) demo LMS_SETTINGS=ginkgo LMS_PORT=$(GINKGO_PORT) LMS_STATE_DIR=$(GINKGO_STATE_DIR) ARGS='$(ARGS)'

provision: lms-up ## run playbooks/provision.yml against the stand-in, ARGS='--check --diff'
	$(PLAYBOOK) playbooks/provision.yml $(ARGS)

verify: lms-up ## run the read-only playbooks/verify.yml against the stand-in
	$(PLAYBOOK) playbooks/verify.yml $(ARGS)

lint: $(STAMP) ## ruff, yamllint, ansible-lint (production profile)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/yamllint --strict .
	$(BIN)/ansible-lint --offline --strict

unit: $(STAMP) ## pure logic; module docs (ansible-doc) against argument specs; in-LMS code under old Pythons
	$(BIN)/pytest tests/unit

contract: $(STAMP) ## the stand-in LMS's contract tests
	$(BIN)/pytest tests/lms

integration: $(STAMP) ## ansible-playbook and the modules against stand-in LMS instances
	$(BIN)/pytest tests/integration

molecule: $(STAMP) ## the role's molecule scenario (converge, idempotence, verify)
	tests/molecule.sh

fleet: $(STAMP) ## provision a fleet of 2 SSH test hosts (native runner, become), failures per host
	$(BIN)/pytest tests/fleet

collection: $(STAMP) ## build the Ansible collection tarball into build/ (name and version: pyproject.toml)
	$(BIN)/python tools/build_collection.py

# Installs into build/collections and runs with build/ansible.cfg, which names no library or roles path,
# so only the collection's fully qualified names can resolve.
collection-demo: lms-up ## the demo through the installed collection, by fully qualified names only
	@tarball=$$($(BIN)/python tools/build_collection.py) && rm -rf build/collections && \
	  $(BIN)/ansible-galaxy collection install "$$tarball" -p build/collections >/dev/null && \
	  printf '[defaults]\ncollections_path = %s\ncallback_result_format = yaml\nnocows = True\n' \
	    "$(CURDIR)/build/collections" > build/ansible.cfg
	cd build && ANSIBLE_CONFIG=$(CURDIR)/build/ansible.cfg $(BIN)/ansible-playbook \
	  -i $(CURDIR)/inventories/standin.yml $(CURDIR)/tests/collection/demo.yml $(ARGS)

containers: $(STAMP) ## the docker and tutor_local runners through the real docker and tutor CLIs (root)
	$(BIN)/pytest tests/containers

containers-up: $(STAMP) ## private dockerd, stand-in image, docker runner container, Tutor project (root)
	$(BIN)/python tests/containers/containers.py up

containers-down: ## remove every container, volume, image, the daemon and files of containers-up
	$(PYTHON) tests/containers/containers.py down

tutor-demo: $(STAMP) ## the demo through the real Tutor CLI (after containers-up): provision, rerun, verify, enroll
	tests/containers/tutor-demo.sh

collection-test: $(STAMP) ## build and install the collection, ansible-test sanity, FQCN demo on a stand-in
	$(BIN)/pytest tests/collection

test: lint unit contract integration fleet containers molecule collection-test ## everything CI runs

# make bench knobs (read by bench/run.py from the environment): BENCH_BOOT_DELAY seconds per LMS
# start (default 5), BENCH_USERS (default "1 10 50"), BENCH_QUICK=1 (0.5 s boots, 1 user).
bench: $(STAMP) ## LMS starts and wall time: toolkit vs configuration and Tutor; then bench-enroll
	$(BIN)/python bench/run.py
	$(MAKE) bench-enroll

bench-enroll: $(STAMP) ## 300 enrollments at the real staff throttle rate: requests, 429s, wall time, rerun
	$(BIN)/python bench/enrollments.py

fleet-up: $(STAMP) ## FLEET_SIZE SSH test hosts with a native LMS each; writes .fleet/inventory.yml
	$(BIN)/python tests/fleet/fleet.py up

fleet-down: ## remove every namespace, process, mount and file of the fleet (also a failed fleet-up)
	$(PYTHON) tests/fleet/fleet.py down

fleet-inventory:
	@test -f $(FLEET_DIR)/inventory.yml || { echo "no fleet in $(FLEET_DIR): run make fleet-up first" >&2; exit 1; }

fleet-provision: $(STAMP) fleet-inventory ## run playbooks/provision.yml against the fleet, ARGS='--check --diff'
	$(FLEET_PLAYBOOK) playbooks/provision.yml $(ARGS)

fleet-verify: $(STAMP) fleet-inventory ## run the read-only playbooks/verify.yml against the fleet
	$(FLEET_PLAYBOOK) playbooks/verify.yml $(ARGS)

bench-fleet: $(STAMP) ## wall time and LMS starts for fleets of 1, 2, 4 and 8 hosts (forks = hosts)
	$(BIN)/python bench/fleet.py

clean: ## stop the default stand-in and remove generated state
	-$(PYTHON) tests/lms/control.py down
	-$(PYTHON) tests/fleet/fleet.py down
	-$(PYTHON) tests/containers/containers.py down
	rm -rf .lms .lms-* .ansible .pytest_cache .ruff_cache build .py27-ginkgo
