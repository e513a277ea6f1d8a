# Moderato: `make run` serves it, `make test` checks it. Each target installs what it needs.
.DEFAULT_GOAL := help
.PHONY: help install run serve test train retrain evaluate lint bench loadtest

VENV   := .venv
PYTHON := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
MODELS := models
HOST   ?= 127.0.0.1
PORT   ?= 5000

# Run the server command $(1) with the background worker (retraining when due) beside it, and
# stop the worker when the server stops or make is interrupted: one command, a whole service.
with_worker = $(FLASK) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; $(1)

help: ## List the targets
	@awk -F ':.*## ' '/^[a-z-]+:.*## / {printf "  make %-9s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.installed: requirements.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed ## Create .venv and install the pinned requirements (idempotent)

$(MODELS)/LATEST: | $(VENV)/.installed
	$(PYTHON) -m model.train --out $(MODELS)

train: $(VENV)/.installed ## Train a new model version from data/ into models/
	$(PYTHON) -m model.train --out $(MODELS)

retrain: $(VENV)/.installed ## Retrain on the corpora plus moderators' labels; promote if not worse (FORCE=1 to force)
	$(FLASK) db upgrade
	$(FLASK) model retrain $(if $(FORCE),--force) $(if $(MARGIN),--margin $(MARGIN))

evaluate: $(VENV)/.installed ## Score DATA=path (YouTube CSV, SMS TSV or project CSV) with the serving model
	@test -n "$(DATA)" || { echo "usage: make evaluate DATA=path/to/file" >&2; exit 2; }
	$(PYTHON) -m model.evaluate $(DATA)

run: $(VENV)/.installed $(MODELS)/LATEST ## Migrate, serve on http://127.0.0.1:5000 (HOST=, PORT=) with the worker; Flask dev server
	$(FLASK) db upgrade
	$(call with_worker,$(FLASK) run --host $(HOST) --port $(PORT))

serve: $(VENV)/.installed $(MODELS)/LATEST ## Migrate and serve under gunicorn with the worker, as deployed
	$(FLASK) db upgrade
	$(call with_worker,BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app)

# Both cores: each pytest-xdist worker has its own databases (tests/conftest.py), and a test
# file stays on one worker, so a module's WordPress or gunicorn is started once.
PYTEST_PARALLEL ?= -n 2 --dist loadfile

# The project's bytecode, written once: where PYTHONDONTWRITEBYTECODE is set (CI's sandbox sets
# it), every gunicorn worker, flask command and fit worker a test starts would otherwise
# compile the project again, 0.9 s of a core each on CI's machine.
test: $(VENV)/.installed-dev $(MODELS)/LATEST ## Run the whole test suite (PYTEST_PARALLEL= for one process)
	$(PYTHON) -m compileall -q service model bench research wsgi.py
	$(PYTHON) -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

loadtest: $(VENV)/.installed-dev $(MODELS)/LATEST ## 50 clients for 60 s through gunicorn; every acknowledged comment checked in the database
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	LOAD_SECONDS=60 LOAD_CLIENTS=50 $(PYTHON) -m pytest tests/test_load.py -k under_load -s -q
	@cat test-artifacts/load-*.json

lint: $(VENV)/.installed-dev ## Check style with ruff
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: $(VENV)/.installed-dev $(MODELS)/LATEST ## Measure speed against baselines (BENCH_QUICK=1 for a 1-minute smoke run)
	command -v wrk >/dev/null || apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }
	$(PYTHON) -m bench
