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

.PHONY: help venv lms-up lms-down demo demo-ginkgo provision verify test lint unit contract integration \
        molecule bench bench-enroll clean

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

demo-ginkgo: ## demo against a Ginkgo-era stand-in (GINKGO_PORT 18001, GINKGO_STATE_DIR .lms-ginkgo)
	$(MAKE) demo LMS_SETTINGS=ginkgo LMS_PORT=$(GINKGO_PORT) LMS_STATE_DIR=$(GINKGO_STATE_DIR) ARGS='$(ARGS)'

provision: lms-up ## run playbooks/provision.yml against the stand-in, ARGS='--check --diff'
	$(PLAYBOOK) playbooks/provision.yml $(ARGS)

verify: lms-up ## run the read-only playbooks/verify.yml against the stand-in
	$(PLAYBOOK) playbooks/verify.yml $(ARGS)

lint: $(STAMP) ## ruff, yamllint, ansible-lint (production profile)
	$(BIN)/ruff check .
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

test: lint unit contract integration molecule ## everything CI runs

bench: $(STAMP) ## LMS boots and wall time: toolkit against a per-command baseline; then bench-enroll
	$(BIN)/python bench/run.py
	$(MAKE) bench-enroll

bench-enroll: $(STAMP) ## 300 enrollments at the real staff throttle rate: requests, 429s, wall time, rerun
	$(BIN)/python bench/enrollments.py

clean: ## stop the default stand-in and remove generated state
	-$(PYTHON) tests/lms/control.py down
	rm -rf .lms .lms-* .ansible .pytest_cache .ruff_cache
