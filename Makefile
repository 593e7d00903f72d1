# Two commands on a fresh machine: `make run` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup run brief test lint format eval bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install briefing with its test tools

run: $(STAMP) ## serve the API and web page on http://127.0.0.1:8000 (offline engine, SQLite)
	$(BIN)/briefing serve

brief: $(STAMP) ## brief the example article and print Markdown
	$(BIN)/briefing brief examples/article.txt

test: $(STAMP) ## lint, run every test, then the offline eval gate
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest
	$(BIN)/briefing eval --engine offline --out $(or $(EVAL_OUT),evals/runs/ci)

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

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) data evals/runs
