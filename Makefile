# The one entry point: `make run` (the whole system, locally) and `make test`.
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := python3 -m uv
export UV_PYTHON_DOWNLOADS := never
WITH_INFRA := deploy/with-infra.sh
# The tests' PostgreSQL (when with-infra starts it) runs without fsync: its databases are
# thrown away, no test survives a crash of the machine, and each test's DROP DATABASE
# (a checkpoint) and commit would otherwise wait on the disk. make run and make bench
# keep fsync on.
TEST_INFRA := PAVILION_PG_FSYNC=off $(WITH_INFRA)
COMPAT_BASE ?= HEAD~1

.PHONY: help install run test unit integration e2e lint format infra-up infra-down bench chaos

help:  ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

PEERS := bench/peers/postgraphile
# The console (console/, served by the gateway at /console/): rebuilt when a source changed.
CONSOLE_BUILD := console/dist/index.html
CONSOLE_SOURCES := $(shell find console/src console/graphiql -type f 2>/dev/null) \
  $(wildcard console/*.html console/*.json console/*.ts)

install:  ## system packages if missing, uv (pinned) and the locked dependencies into .venv, the benchmark's PostGraphile (npm ci, when its lock file changed), Mailpit (built once, deploy/mailpit.sh), the console's build
	@deploy/system-deps.sh
	@python3 -m uv --version 2>/dev/null | grep -q "$(UV_VERSION)" \
	  || python3 -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@$(UV) sync --frozen --quiet
	@[ $(PEERS)/node_modules/.package-lock.json -nt $(PEERS)/package-lock.json ] \
	  || (cd $(PEERS) && npm ci --no-audit --no-fund --silent)
	@deploy/mailpit.sh >/dev/null
	@$(MAKE) --no-print-directory --silent $(CONSOLE_BUILD)

$(CONSOLE_BUILD): $(CONSOLE_SOURCES)
	@[ console/node_modules/.package-lock.json -nt console/package-lock.json ] \
	  || (cd console && npm ci --no-audit --no-fund --silent)
	cd console && npm run build --silent

run: install  ## start Kafka, PostgreSQL and every service locally; Ctrl-C stops all
	deploy/run.sh

test: install lint  ## lint, then every test against a real Kafka and PostgreSQL
	$(TEST_INFRA) $(UV) run --frozen pytest tests --durations=30

unit: install  ## domain and handler tests against fakes (no infrastructure)
	$(UV) run --frozen pytest tests/unit

integration: install  ## tests against the real Kafka and PostgreSQL
	$(TEST_INFRA) $(UV) run --frozen pytest tests/integration

e2e: install  ## the running processes, through HTTP and GraphQL
	$(TEST_INFRA) $(UV) run --frozen pytest tests/e2e

lint: install  ## ruff, mypy --strict, event types (the services' and the integrator kit's) current with the schemas, and no breaking change of a published event schema or of the GraphQL API since COMPAT_BASE (HEAD~1)
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy
	$(UV) run --frozen python -m pavilion_contracts.events --check
	$(UV) run --frozen python -m pavilion_contracts.kit --check
	$(UV) run --frozen python -m pavilion_contracts.compat --base $(COMPAT_BASE)

format: install  ## apply ruff's fixes and formatting
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

infra-up:  ## start PostgreSQL and Kafka and leave them running
	deploy/postgres.sh start
	deploy/kafka.sh start

infra-down:  ## stop PostgreSQL and Kafka
	deploy/kafka.sh stop
	deploy/postgres.sh stop

bench: install  ## benchmarks with their same-run baselines (bench/README.md); BENCH_ARGS=--quick
	$(WITH_INFRA) $(UV) run --frozen python -m bench $(BENCH_ARGS)

chaos: install  ## faults under load on a stack of its own (docs/reliability.md); CHAOS_ARGS="--only pg-kill"
	$(UV) run --frozen python -m bench.chaos $(CHAOS_ARGS)
