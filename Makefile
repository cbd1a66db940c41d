# denshiban — `make run` serves the demo newspaper, `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Django 6 needs Python 3.12 or newer; plain python3 may be 3.11 here, where pip would
# silently install Django 5.2. Look for a real 3.13 or 3.12 (pyenv shims that only point
# elsewhere fail the `-c` check and are skipped).
PYTHON_FOUND := $(shell for c in python3.13 python3.12 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3.13 2>/dev/null) \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12 2>/dev/null); do \
	if "$$c" -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1; then command -v "$$c"; break; fi; done)

.PHONY: run test install migrate seed lint bench-pages bench-newsletter bench-keywords bench-mynews clean

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON_FOUND)" ]; then \
		echo "denshiban needs Python 3.12 or 3.13 (python3.13 / python3.12 were not found)." >&2; \
		echo "Install one (e.g. 'pyenv install 3.13') and run make again." >&2; exit 1; fi
	@test -x $(PY) || "$(PYTHON_FOUND)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	@mkdir -p var
	$(PY) manage.py seed_demo

# The task worker runs beside the web server (publishing fan-out, Wagtail's reference index,
# newsletters), newsletter_tick every minute (scheduled issues, stalled sends) and billing_tick
# every five minutes (trials ending, subscriptions expiring), as cron would in production; all
# stop with it.
run: seed
	@$(PY) manage.py demo_accounts
	@$(PY) manage.py db_worker >var/worker.log 2>&1 & worker=$$!; \
	(minute=0; while sleep 60; do minute=$$((minute + 1)); \
		$(PY) manage.py newsletter_tick; \
		if [ $$((minute % 5)) -eq 0 ]; then $(PY) manage.py billing_tick; fi; \
	done) >var/ticks.log 2>&1 & ticker=$$!; \
	trap 'kill $$worker $$ticker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench-pages: install
	$(PY) bench/pages.py

# Needs Redis on 127.0.0.1:6379 (its database 13 is flushed).
bench-newsletter: install
	$(PY) bench/newsletter.py

bench-keywords: install
	$(PY) bench/keywords.py

bench-mynews: install
	$(PY) bench/mynews.py
	$(PY) bench/mynews.py --postgres

clean:
	rm -rf $(VENV) db.sqlite3* media/ staticfiles/
