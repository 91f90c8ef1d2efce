# OpenNPS: `make demo` runs the product, `make test` runs the tests. See README.md.
SHELL := /bin/bash
# uv from PATH, else a private copy under var/tools (a fresh machine has only Python 3.11).
UV := $(shell command -v uv 2>/dev/null || echo var/tools/bin/uv)
RUN := $(UV) run --frozen
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_PROCESSES ?= 2

.PHONY: install demo demo-reset test lint format bench chaos messages clean

var/tools/bin/uv:
	python3 -m venv var/tools
	var/tools/bin/pip install --quiet --disable-pip-version-check uv

.venv/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen
	touch $@

install: .venv/.synced

demo: install
	@mkdir -p var/outbox var/sms-outbox var/alerts var/media var/staticfiles
	NPS_ENV_FILE=.env.demo $(RUN) python manage.py migrate --no-input -v 0
	@# The texts the seed sends carry links: to this server's address.
	PUBLIC_BASE_URL=http://$(HOST):$(PORT) NPS_ENV_FILE=.env.demo $(RUN) python manage.py seed_demo
	@echo ""
	@echo "  OpenNPS demo: http://$(HOST):$(PORT)/"
	@echo "  Sign in as admin@demo.opennps.test / lead@demo.opennps.test / viewer@demo.opennps.test"
	@echo "  Password for all three: demo-password-2026"
	@echo "  Mail goes to var/outbox/ (.eml files), texts to var/sms-outbox/ (JSON files)."
	@echo "  Reply to the texts as the customer: http://$(HOST):$(PORT)/demo/phone/ (as the admin)."
	@echo "  Follow-up cases: http://$(HOST):$(PORT)/cases/ (as the lead); Slack alerts: http://$(HOST):$(PORT)/demo/slack/ (as the admin)."
	@echo ""
	PUBLIC_BASE_URL=http://$(HOST):$(PORT) NPS_ENV_FILE=.env.demo $(RUN) python manage.py runserver $(HOST):$(PORT)

demo-reset:
	rm -f var/demo.sqlite3
	rm -rf var/outbox var/sms-outbox var/alerts

test: install
	.ci/services
	DJANGO_SETTINGS_MODULE=tests.settings $(RUN) python manage.py compilemessages --ignore=.venv -v 0
	$(RUN) coverage erase
	@# Two processes (pytest-xdist; TEST_PROCESSES to change), each with its own database and Redis db.
	$(RUN) pytest -n $(TEST_PROCESSES) --dist loadfile --cov --cov-branch --cov-report= $(PYTEST_ARGS)
	@# The least covered files, then the total (statements and branches); no threshold, a number to read.
	@$(RUN) coverage report --skip-covered --skip-empty --sort=cover | tail -n 22
	@echo "coverage_branch_total: $$($(RUN) coverage report --format=total --precision=1) %"

lint: install
	$(RUN) ruff format --check .
	$(RUN) ruff check .
	$(RUN) lint-imports
	DJANGO_SETTINGS_MODULE=tests.settings $(RUN) python manage.py makemigrations --check --dry-run

format: install
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

messages: install
	NPS_ENV_FILE=.env.demo $(RUN) python manage.py makemessages --all --ignore=.venv --ignore=var --ignore=tests --no-obsolete

bench: install
	.ci/services
	$(RUN) python -m tests.bench

# Restarts the machine's PostgreSQL and Redis: never beside other work (docs/delivery.md, "Delivery under chaos").
chaos: install
	.ci/services
	$(RUN) python -m tests.chaos $(CHAOS_ARGS)

clean:
	rm -rf var/staticfiles .pytest_cache .ruff_cache htmlcov
