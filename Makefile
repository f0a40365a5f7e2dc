# S3martMed onboarding assistant. `make help` lists the targets.
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
# Rasa 3.6 itself uses SQLAlchemy 1.4 APIs; its 2.0 migration notice is not ours to fix.
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export S3M_ACTION_URL ?= http://127.0.0.1:5055/webhook

VENV   := .venv
PYTHON := $(VENV)/bin/python
RASA   := $(PYTHON) -m rasa
STAMP  := $(VENV)/.installed
WIDGET := bot/portal/static/widget/s3martmed-chat.js

.PHONY: help install widget lock lint test test-python test-python-own-stacks test-python-rest test-sqlite validate train test-stories run bench-nlu bench-e2e bench bench-analytics clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

install: $(STAMP) widget  ## Create .venv from requirements.lock and build the chat widget (only when missing or stale)

$(STAMP): requirements.lock pyproject.toml
	@command -v uv >/dev/null || python3 -m pip install --quiet uv
	@test -x $(PYTHON) || uv venv --quiet --python 3.11 $(VENV)
	uv pip sync --python $(PYTHON) requirements.lock
	uv pip install --python $(PYTHON) --no-deps --editable .
	@touch $@

widget: $(WIDGET)  ## Build the website chat widget (npm ci + esbuild, docs/widget.md)

widget/node_modules/.package-lock.json: widget/package-lock.json
	@command -v npm >/dev/null || { echo "The chat widget needs Node.js 18+ and npm (e.g. apt-get install nodejs npm)."; exit 1; }
	cd widget && npm ci --no-audit --no-fund --loglevel=error

$(WIDGET): widget/node_modules/.package-lock.json widget/build.mjs $(wildcard widget/src/*)
	cd widget && npm run --silent build

lock:  ## Re-resolve requirements.in into requirements.lock (Python 3.11, overrides.txt)
	uv pip compile requirements.in --python-version 3.11 --override overrides.txt --generate-hashes -o requirements.lock

lint: install  ## Static checks
	$(PYTHON) -m ruff check bot actions tests benchmarks

validate: install  ## Check training data, stories and domain: any warning fails
	@mkdir -p results
	$(RASA) data validate --fail-on-warning --data nlu_data data --domain domain.yml \
	  --config config.yml > results/validate.log 2>&1 || { cat results/validate.log; exit 1; }
	@# Two known messages of Rasa 3.6 are allowed, every other warning fails:
	@# - responses sent by custom actions are "not used in any story or rule" for Rasa;
	@#   tests/test_responses.py checks them instead;
	@# - the retrieval intent `faq` listed in the domain (as Rasa documents) is reported
	@#   as "duplicated" because the importer adds it from the NLU data once more.
	@! grep -E "UserWarning|WARNING" results/validate.log | grep -v \
	  -e "is not used in any story or rule" -e "duplicated intents have been found across multiple domain files: faq$$"
	@echo "Data, stories and domain are valid."

train: install  ## Train a model unless one exists for the current data; embed the form's phrases
	$(PYTHON) -m bot.training
	threads=$${S3M_ENCODER_THREADS:-$$(nproc)}; OMP_NUM_THREADS=$$threads S3M_ENCODER_THREADS=$$threads \
	  $(PYTHON) -m actions.services.meaning

# Storage of the assistants the tests start (tests/conftest.py, stack_storage): production's by
# default; `make test-python TEST_STACK=sqlite` where no PostgreSQL or Redis runs.
TEST_STACK ?= postgresql+redis

test-python: install  ## pytest: units, components, actions, the running assistant on PostgreSQL + Redis
	S3M_TEST_STACK=$(TEST_STACK) $(PYTHON) -m pytest

# `make test` runs pytest as two halves side by side: the tests that start stacks of their own
# (production set-ups, faults, retraining, browsers) and all the others.
OWN_STACKS := tests/production tests/faults tests/retraining tests/portal tests/widget

test-python-own-stacks: install
	S3M_TEST_STACK=$(TEST_STACK) $(PYTHON) -m pytest $(OWN_STACKS) -p no:cacheprovider

test-python-rest: install
	S3M_TEST_STACK=$(TEST_STACK) $(PYTHON) -m pytest $(addprefix --ignore=,$(OWN_STACKS)) -p no:cacheprovider

test-stories: train  ## Conversation tests in every language (tests/stories)
	@# Dialogue: given each story's intents, every action must be right (fails the build).
	$(RASA) test core --stories tests/stories --model $$($(PYTHON) -m bot.training 2>/dev/null) \
	  --out results/dialogue --fail-on-prediction-errors

bench-e2e: train  ## The conversations of tests/stories with the NLU in the loop: a measurement (results/e2e)
	$(RASA) test core --stories tests/stories --model $$($(PYTHON) -m bot.training 2>/dev/null) \
	  --out results/e2e --e2e > results/e2e.log 2>&1 || { tail -50 results/e2e.log; exit 1; }
	@grep -A2 "CONVERSATION level\|ACTION level" results/e2e.log | grep -E "level|Correct"

test-sqlite: train  ## The conversation tests again on SQLite, the storage of `make run` (docs/production.md)
	S3M_TEST_STACK=sqlite $(PYTHON) -m pytest tests/test_registration.py tests/test_assistant.py \
	  tests/test_hostile_messages.py -p no:cacheprovider

test: lint validate train  ## The whole suite
	@# The four stages after training run side by side (each one's output printed when it ends):
	@# much of pytest's time is spent waiting for the assistants it starts (fresh-clone CI used
	@# 44 % of the two cores with one pytest), which the other stages fill. Any stage failing
	@# fails the suite.
	$(MAKE) --no-print-directory -j4 --output-sync=target test-python-own-stacks test-python-rest \
	  test-stories test-sqlite

run: install  ## Train if needed, then start Rasa (5005), actions (5055) and portal (8000)
	$(PYTHON) -m bot.launcher

bench-nlu: install  ## Measure the NLU: one model vs five, per language (docs/nlu-benchmark.md)
	$(PYTHON) -m benchmarks.nlu $(BENCH_ARGS)

bench: install  ## Reply latency under load, ours against the rasa init bot (docs/benchmark.md)
	$(PYTHON) -m benchmarks.latency $(BENCH_ARGS)

bench-analytics: install  ## Portal analytics on 10,000 generated conversations in PostgreSQL (docs/portal.md)
	$(PYTHON) -m benchmarks.analytics $(BENCH_ARGS)

clean:  ## Remove trained models and test results
	rm -rf models results .rasa
