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
PLAYBOOK := $(BIN)/ansible-playbook -i inventories/standin.yml
ARGS ?=

.PHONY: help venv lms-up lms-down demo provision verify test lint unit contract integration \
        molecule bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.txt
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

provision: lms-up ## run playbooks/provision.yml against the stand-in, ARGS='--check --diff'
	$(PLAYBOOK) playbooks/provision.yml $(ARGS)

verify: lms-up ## run the read-only playbooks/verify.yml against the stand-in
	$(PLAYBOOK) playbooks/verify.yml $(ARGS)

lint: $(STAMP) ## ruff, yamllint, ansible-lint (production profile)
	$(BIN)/ruff check .
	$(BIN)/yamllint --strict .
	$(BIN)/ansible-lint --offline --strict

unit: $(STAMP) ## unit tests of pure logic, module docs against argument specs
	$(BIN)/pytest tests/unit

contract: $(STAMP) ## the stand-in LMS's contract tests
	$(BIN)/pytest tests/lms

integration: $(STAMP) ## ansible-playbook and the modules against stand-in LMS instances
	$(BIN)/pytest tests/integration

molecule: $(STAMP) ## the role's molecule scenario (converge, idempotence, verify)
	tests/molecule.sh

test: lint unit contract integration molecule ## everything CI runs

# make bench knobs (read by bench/run.py from the environment): BENCH_BOOT_DELAY seconds per LMS
# start (default 5), BENCH_USERS (default "1 10"), BENCH_QUICK=1 (0.5 s boots, 1 user).
bench: $(STAMP) ## LMS starts and wall time: toolkit vs configuration and Tutor (BENCH_BOOT_DELAY, BENCH_USERS, BENCH_QUICK=1)
	$(BIN)/python bench/run.py

clean: ## stop the default stand-in and remove generated state
	-$(PYTHON) tests/lms/control.py down
	rm -rf .lms .lms-* .ansible .pytest_cache .ruff_cache
