# Two commands on a fresh machine: `make run` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# uv installs from uv.lock and refreshes it; it comes from PyPI into the venv, at this version.
UV_VERSION ?= 0.13.9
UV     := $(BIN)/uv
NEWEST ?= .venv-newest

.DEFAULT_GOAL := help
.PHONY: help setup run brief test test-newest lint format eval bench lock lock-upgrade mutation clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet 'uv==$(UV_VERSION)'

# The exact versions and hashes in uv.lock; --locked stops if pyproject.toml changed without `make lock`.
# Bytecode is compiled at install time: where PYTHONDONTWRITEBYTECODE is set, every `briefing`
# process would otherwise compile each module it imports from source again (seconds per start).
$(STAMP): pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --quiet --locked --inexact --compile-bytecode --extra test \
	  --python $(BIN)/python \
	  || { echo "make: install failed; if uv.lock is out of date, run 'make lock' and commit it" >&2; exit 1; }
	$(BIN)/python -m compileall -q briefing api
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install briefing with its test tools, as uv.lock pins them

lock: $(UV) ## refresh uv.lock after editing dependencies in pyproject.toml (keeps other pins)
	$(UV) lock

lock-upgrade: $(UV) ## move every pin in uv.lock to the newest release pyproject.toml allows
	$(UV) lock --upgrade

run: $(STAMP) ## serve the API and web page on http://127.0.0.1:8000 (PORT=8080 for another port)
	$(BIN)/briefing serve $(if $(PORT),--port $(PORT)) $(if $(HOST),--host $(HOST))

brief: $(STAMP) ## brief the example article and print Markdown
	$(BIN)/briefing brief examples/article.txt

test: $(STAMP) ## lint, run every test, then the offline eval gate
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(or $(TEST_JOBS),2)
	$(BIN)/briefing eval --engine offline --out $(or $(EVAL_OUT),evals/runs/ci)

test-newest: ## `make test` against the newest releases pyproject.toml allows, in .venv-newest
	$(MAKE) --no-print-directory $(NEWEST)/bin/uv VENV=$(NEWEST)
	$(NEWEST)/bin/uv pip install --quiet --compile-bytecode --python $(NEWEST)/bin/python --upgrade -e '.[test]'
	touch $(NEWEST)/.installed
	$(MAKE) --no-print-directory test VENV=$(NEWEST)

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## apply ruff formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

eval: $(STAMP) ## run the offline eval and write a report under evals/runs/
	$(BIN)/briefing eval --engine offline

bench: $(STAMP) ## print the benchmark figures
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

mutation: $(STAMP) ## mutation testing of the trust-critical modules; fails under 90 % killed per module
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(or $(MUTATION_JOBS),2) >mutants.log 2>&1 || (tail -c 3000 mutants.log; exit 1)
	$(BIN)/python tools/mutation_score.py >mutants/score.md; status=$$?; cat mutants/score.md; exit $$status

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) $(NEWEST) data evals/runs mutants mutants.log
