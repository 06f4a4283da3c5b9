# Cohortline — run `make help` for the list of targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Links in emails (receipts, offers, unsubscribe) point where the site is served.
SITE_URL ?= http://127.0.0.1:$(PORT)
LOCAL := DJANGO_SETTINGS_MODULE=config.settings.local SITE_URL=$(SITE_URL)
STATIC_SOURCES := $(shell find static -type f 2>/dev/null)

.DEFAULT_GOAL := help

.PHONY: help demo reseed run test lint fmt worker bench clean check-site-url

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

var/.migrated: $(BIN)/.installed $(shell find */migrations -name '0*.py' 2>/dev/null)
	mkdir -p var
	$(LOCAL) $(BIN)/python manage.py migrate --noinput -v0
	touch $@

# Seeded once; the file holds the address the demo's emails were written for. Progress goes to
# the terminal, task logs and emails to var/seed.log, the logins to var/demo-logins.txt.
var/.seeded: | var/.migrated
	$(LOCAL) $(BIN)/python manage.py seed_demo --log var/seed.log > var/demo-logins.txt
	echo "$(SITE_URL)" > $@

# Emails already written keep the address they were written for: say so when it differs.
check-site-url:
	@if [ -f var/.seeded ] && [ "$$(cat var/.seeded)" != "$(SITE_URL)" ]; then \
	  echo "Note: the demo data was seeded for $$(cat var/.seeded); the emails written then link there."; \
	  echo "      Emails written from now on link to $(SITE_URL). To rebuild the demo for it: PORT=$(PORT) make reseed"; \
	fi

var/static/staticfiles.json: $(BIN)/.installed $(STATIC_SOURCES)
	$(LOCAL) $(BIN)/python manage.py collectstatic --noinput -v0

demo: $(BIN)/.installed var/.migrated var/.seeded var/static/staticfiles.json check-site-url ## Set up everything on SQLite with demo data and serve it on http://127.0.0.1:$(PORT)
	@cat var/demo-logins.txt
	@echo "Serving on http://127.0.0.1:$(PORT)/ — press Ctrl+C to stop."
	$(LOCAL) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

reseed: ## Rebuild the demo from zero (drops var/db.sqlite3), then serve it as `make demo` does
	rm -f var/db.sqlite3 var/.migrated var/.seeded
	$(MAKE) demo

run: $(BIN)/.installed var/.migrated check-site-url ## Serve the development site (no reseeding)
	$(LOCAL) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(BIN)/.installed ## Run the whole test suite (PostgreSQL/Redis/Chromium tests skip when absent)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed ## ruff check, ruff format --check, the import contracts and the migration check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

fmt: $(BIN)/.installed ## Format and auto-fix the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: $(BIN)/.installed ## Run a Celery worker with beat against Redis (REDIS_URL, default redis://127.0.0.1:6379/0)
	mkdir -p var
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(LOCAL) $(BIN)/celery -A config worker --beat --schedule var/celerybeat-schedule --loglevel=INFO --concurrency=2

bench: $(BIN)/.installed ## Run the benchmarks in bench/ and print their figures
	@for f in bench/[!_]*.py; do [ -e "$$f" ] || continue; echo "== $$f"; $(BIN)/python "$$f"; done

clean: ## Remove the virtualenv and local data (var/)
	rm -rf $(VENV) var
