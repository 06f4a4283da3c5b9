# Cohortline — run `make help` for the list of targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
LOCAL := DJANGO_SETTINGS_MODULE=config.settings.local
STATIC_SOURCES := $(shell find static -type f 2>/dev/null)

.DEFAULT_GOAL := help

.PHONY: help demo run test lint fmt worker bench clean

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
	@if [ ! -f var/.seeded ]; then $(LOCAL) $(BIN)/python manage.py seed_demo > var/seed.log && sed -n '/^Demo programme/,$$p' var/seed.log > var/demo-logins.txt && touch var/.seeded; fi
	touch $@

var/static/staticfiles.json: $(BIN)/.installed $(STATIC_SOURCES)
	$(LOCAL) $(BIN)/python manage.py collectstatic --noinput -v0

demo: $(BIN)/.installed var/.migrated var/static/staticfiles.json ## Set up everything on SQLite with demo data and serve it on http://127.0.0.1:$(PORT)
	@cat var/demo-logins.txt
	@echo "Serving on http://127.0.0.1:$(PORT)/ — press Ctrl+C to stop."
	$(LOCAL) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

run: $(BIN)/.installed var/.migrated ## Serve the development site (no reseeding)
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
	@for f in bench/*.py; do [ -e "$$f" ] || continue; echo "== $$f"; $(BIN)/python "$$f"; done

clean: ## Remove the virtualenv and local data (var/)
	rm -rf $(VENV) var
