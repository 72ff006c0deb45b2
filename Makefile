# The two commands of the README: `make run` and `make test`.
# Everything else here is a step of theirs or an operations shortcut.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON ?= python3.11
export UV_PROJECT_ENVIRONMENT := .venv
export UV_LINK_MODE := copy

PYTHON := .venv/bin/python
MANAGE := $(PYTHON) manage.py
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help
help:
	@echo "make run    install everything, load demo data, serve http://$(HOST):$(PORT)"
	@echo "make test   install everything and run linters and the whole test suite"
	@echo "make bench  measure the main pages under load (needs PostgreSQL; see bench/)"
	@echo "make bench-surveys  measure survey delivery: 5,000 mails by one worker (see bench/)"
	@echo "make messages  update the German catalogue after changing UI texts"

# uv itself comes from PyPI into a private folder; it uses the system Python.
.tools/bin/uv:
	@scripts/system-deps.sh
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==0.13.*"

.PHONY: install
install: $(UV)
	@scripts/system-deps.sh
	$(UV) sync --frozen
	DEBUG=true $(MANAGE) compilemessages --ignore=.venv --ignore=.tools --ignore=node_modules -v0

.env:
	cp .env.example .env
	@echo "Created .env from .env.example (laptop mode: DEBUG on, SQLite, mail as files)."

.PHONY: run
run: install .env
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_demo
	@echo
	@echo "Open http://$(HOST):$(PORT)/ and log in with one of the logins above."
	@echo "Mails are written to var/mail/. Stop the server with Ctrl+C."
	$(MANAGE) runserver $(HOST):$(PORT)

.PHONY: test
test: install
	@scripts/test.sh

.PHONY: lint
lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

.PHONY: format
format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

.PHONY: messages
messages:
	DEBUG=true $(MANAGE) makemessages -l de --ignore=var --ignore=staticfiles --ignore=.venv --ignore=.tools --ignore=node_modules --ignore=bench --ignore=tests --no-obsolete

.PHONY: bench
bench: install
	@env -u DATABASE_URL -u CELERY_BROKER_URL scripts/with-services.sh $(PYTHON) bench/pages.py

.PHONY: bench-surveys
bench-surveys: install
	@env -u DATABASE_URL -u CELERY_BROKER_URL scripts/with-services.sh $(PYTHON) bench/surveys.py

.PHONY: backup
backup:
	$(MANAGE) backup var/backups

.PHONY: clean
clean:
	rm -rf .venv .tools node_modules staticfiles
