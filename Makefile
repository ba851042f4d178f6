# cc112-pbx: the two commands a newcomer runs are `make demo` and `make test`.
# Both do all the set-up themselves (a .venv with the package and its extras) and are idempotent.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint venv clean sounds bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/cc112 demo

bench: $(STAMP)
	$(BIN)/cc112 bench

lint: $(STAMP)
	$(BIN)/ruff check cc112_pbx tests
	$(BIN)/asterisklint dialplan-check dialplan/extensions.conf

test: $(STAMP) lint
	$(BIN)/python -m pytest

sounds:
	bash sounds/generate.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
