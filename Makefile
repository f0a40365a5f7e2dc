# S3martMed onboarding assistant. `make help` lists the targets.
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export S3M_ACTION_URL ?= http://127.0.0.1:5055/webhook

VENV   := .venv
PYTHON := $(VENV)/bin/python
RASA   := $(PYTHON) -m rasa
STAMP  := $(VENV)/.installed

.PHONY: help install lock lint test test-python validate train test-stories run bench-nlu clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

install: $(STAMP)  ## Create .venv from requirements.lock (only when missing or stale)

$(STAMP): requirements.lock pyproject.toml
	@command -v uv >/dev/null || python3 -m pip install --quiet uv
	@test -x $(PYTHON) || uv venv --quiet --python 3.11 $(VENV)
	uv pip sync --python $(PYTHON) requirements.lock
	uv pip install --python $(PYTHON) --no-deps --editable .
	@touch $@

lock:  ## Re-resolve requirements.in into requirements.lock (Python 3.11, overrides.txt)
	uv pip compile requirements.in --python-version 3.11 --override overrides.txt -o requirements.lock

lint: install  ## Static checks
	$(PYTHON) -m ruff check bot actions tests

validate: install  ## Check training data, stories and domain: any warning fails
	@mkdir -p results
	$(RASA) data validate --fail-on-warning --data nlu_data data --domain domain.yml \
	  --config config.yml > results/validate.log 2>&1 || { cat results/validate.log; exit 1; }
	@# Rasa cannot see responses that custom actions send ("not used in any story or
	@# rule"); tests/test_responses.py checks those. Every other warning fails.
	@! grep -E "UserWarning|WARNING" results/validate.log | grep -v "is not used in any story or rule"
	@echo "Data, stories and domain are valid."

train: install  ## Train a model unless one exists for the current data
	$(PYTHON) -m bot.training

test-python: install  ## pytest: units, components, actions, running server
	$(PYTHON) -m pytest

test-stories: train  ## Conversation tests in every language (tests/stories)
	$(RASA) test core --stories tests/stories --model $$($(PYTHON) -m bot.training 2>/dev/null) \
	  --out results --fail-on-prediction-errors

test: lint validate test-python test-stories  ## The whole suite

run: install  ## Train if needed, then start Rasa (5005), actions (5055) and portal (8000)
	$(PYTHON) -m bot.launcher

bench-nlu: install  ## Measure the NLU: one model vs five, per language (docs/nlu-benchmark.md)
	$(PYTHON) -m benchmarks.nlu $(BENCH_ARGS)

clean:  ## Remove trained models and test results
	rm -rf models results .rasa
