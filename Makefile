# maatwerk — two commands on a fresh machine: `make demo` and `make test`.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest in parallel (pytest-xdist), one test file per worker at a time so that a module's
# fixtures are built once; `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile

.PHONY: setup demo test check lint typecheck layers pytest pytest-quick example-plugin bench bench-peers docs reliability fuzz clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install maatwerk with its dev tools

demo: $(STAMP) ## run the main job on the embedded SQLite default
	$(BIN)/maatwerk demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

example-plugin: $(STAMP) ## install the example external plugin and run its contract tests
	$(BIN)/python -m pip install --quiet --no-deps -e examples/maatwerk-example-channel
	$(BIN)/pytest -q examples/maatwerk-example-channel

pytest: $(STAMP) ## every test, the slow ones (demo-size runs, a fresh install) too
	$(PYTEST)

pytest-quick: $(STAMP) ## the tests not marked slow
	$(PYTEST) -m 'not slow'

docs: $(STAMP) ## plugin-author docs (Sphinx + MyST), warnings are errors; output in docs/_build/html
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

test: lint typecheck layers docs example-plugin pytest ## every check: ruff, mypy --strict, import-linter, docs, plugin kit, pytest (what .ci/run runs)

check: lint typecheck layers docs example-plugin pytest-quick ## the same without the slow tests: fast feedback while coding

reliability: $(STAMP) ## fault, ledger and concurrency tests at full size: 50 kills, 1,000 contacts (docs/reliability.md)
	MAATWERK_RELIABILITY=full $(BIN)/pytest -q -p no:xdist tests/reliability

bench: $(STAMP) ## speed and memory benchmarks; results in benchmarks/results/
	$(BIN)/pytest benchmarks -q --benchmark-only --benchmark-json=benchmarks/results/latest.json

fuzz: $(STAMP) ## the fuzz tests of every importer and CLI command, ten times the normal inputs
	MAATWERK_FUZZ_SCALE=$${MAATWERK_FUZZ_SCALE:-10} $(BIN)/pytest -q -s -p no:xdist tests/fuzz
PEER_DEBTS ?= 10000
PEER_RESULTS := benchmarks/results/peer-tryton-$(PEER_DEBTS).jsonl
bench-peers: $(STAMP) ## Tryton account_dunning beside maatwerk's first day (installs trytond into .venv); results in benchmarks/results/
	$(BIN)/python -m pip install --quiet 'trytond>=7.0' 'trytond_account_dunning>=7.0'
	PEER_DEBTS=$(PEER_DEBTS) $(BIN)/python benchmarks/peers/maatwerk_first_day.py > $(PEER_RESULTS)
	PEER_DEBTS=$(PEER_DEBTS) $(BIN)/python -O benchmarks/peers/tryton_dunning.py >> $(PEER_RESULTS)
	PEER_DEBTS=$(PEER_DEBTS) $(BIN)/python benchmarks/peers/tryton_dunning.py >> $(PEER_RESULTS)
	uptime >> $(PEER_RESULTS)
	cat $(PEER_RESULTS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache demo-output docs/_build
