# Front Door. `make help` lists the targets; `make run` and `make test` are the two that matter.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.11 for the portal. Override with `make run PYTHON=/path/to/python3.11`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000
RASA_PORT    ?= 5005
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# What the processes under honcho need to find each other (the portal calls Rasa's /model/parse; nothing calls back).
export RASA_PORT
export RASA_URL := http://127.0.0.1:$(RASA_PORT)

include bot/rasa/rasa.mk
export RASA_BIN

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Front Door needs Python 3.11 or newer: make PYTHON=..."'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: setup
setup: $(STAMP) node_modules/.installed rasa-setup ## Install the Python environments (portal and Rasa) and the GOV.UK Frontend assets
	@$(BIN)/frontdoor dev write-env .env

.PHONY: db
db: setup ## Create or upgrade the database (SQLite at instance/frontdoor.db unless DATABASE_URL is set)
	$(BIN)/frontdoor db upgrade

.PHONY: run
run: db rasa-train ## Set everything up and start the front door at http://127.0.0.1:5000 (portal, worker, Rasa NLU)
	$(BIN)/frontdoor demo load
	@echo "Front Door: http://$(HOST):$(PORT)/  (report a concern: /report, ask for help: /help, chat: /chat; Ctrl-C stops)"
	@echo "Text it: $(BIN)/frontdoor sms \"I'm struggling with my 4 year old\" --from +447700900123  (Rasa takes ~30 s to start)"
	HOST=$(HOST) $(BIN)/honcho start -f Procfile -p $(PORT)

# The production profile: gunicorn (2 processes), 2 workers and Rasa, on this machine's PostgreSQL and Redis,
# over HTTPS with a self-signed certificate. Settings live in .env.production (written once, never committed).
PRODUCTION_PORT ?= 5443
PRODUCTION_ENV  ?= .env.production

.PHONY: run-production
run-production: setup rasa-train services ## The production profile at https://127.0.0.1:5443: gunicorn, PostgreSQL, Redis, 2 workers, Rasa
	$(BIN)/frontdoor production prepare $(PRODUCTION_ENV) --port $(PRODUCTION_PORT) --rasa-port $(RASA_PORT)
	set -a && . ./$(PRODUCTION_ENV) && set +a && $(BIN)/frontdoor db upgrade && \
		$(BIN)/frontdoor services import signposting/data/taxonomy.json >/dev/null && \
		$(BIN)/frontdoor services import signposting/data/demo_directory.json >/dev/null
	@echo "Front Door (production profile): https://127.0.0.1:$(PRODUCTION_PORT)/  (self-signed: trust instance-production/tls/cert.pem; Ctrl-C stops)"
	@echo "A first staff account: set -a; . ./$(PRODUCTION_ENV); set +a; $(BIN)/frontdoor users create --email you@council.example --name 'Your Name' --role admin"
	$(BIN)/honcho start -f Procfile.production -e $(PRODUCTION_ENV) -c worker=2 -p $(PRODUCTION_PORT)

.PHONY: lint
lint: setup ## Ruff and mypy over the code
	$(BIN)/ruff check .
	$(BIN)/mypy

.PHONY: browser
browser: ## Install Debian's chromium for the browser tests (as root, once)
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

.PHONY: services
services: ## Make sure PostgreSQL and Redis are running (the tests and the production profile use them)
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; [ $$i = 30 ] && { echo "PostgreSQL did not start"; exit 1; }; done
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 \
		--save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
	@for i in $$(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && exit 0; sleep 1; done; echo "Redis did not start"; exit 1

.PHONY: test
test: setup browser services ## Set up and run the whole suite: fast, browser, PostgreSQL and Rasa tests
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(MAKE) --no-print-directory rasa-check
	$(BIN)/pytest -m "not slow" -n 2 --dist worksteal  # the fast set on both cores (pytest-xdist; an idle core takes over queued tests)
	$(BIN)/pytest -m slow  # browser, PostgreSQL, Rasa and the production profile: one at a time

.PHONY: test-fast
test-fast: setup ## The fast tests only (no browser, no PostgreSQL), on both cores
	$(BIN)/pytest -m "not slow" -n 2 --dist worksteal

.PHONY: bench
bench: setup services browser ## Run the benchmarks and print their figures beside their baselines
	$(BIN)/python bench/submit_referral.py
	$(BIN)/python bench/queue_page.py --backends sqlite,postgres
	$(BIN)/python bench/claim_next.py
	$(BIN)/python bench/audit_verify.py
	$(BIN)/python bench/safety_screen.py
	$(BIN)/python bench/search.py --backends sqlite,postgres
	$(BIN)/python bench/conversation_inbox.py --backends sqlite,postgres
	$(MAKE) --no-print-directory rasa-train
	$(BIN)/python bench/sms_webhook.py

.PHONY: understanding-report
understanding-report: setup rasa-train ## Danger recall, false alarms, intents and facts on the evaluation set (tests/eval), to docs/understanding.md
	$(BIN)/python bench/understanding.py --write docs/understanding.md

.PHONY: clean
clean: ## Remove the environments, the Rasa model and the local database (keeps .env)
	rm -rf $(VENV) $(RASA_VENV) node_modules instance instance-production bot/rasa/models bot/rasa/results bot/rasa/.rasa
