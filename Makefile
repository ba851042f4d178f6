# cc112-pbx: the two commands a newcomer runs are `make demo` and `make test`.
# Both do all the set-up themselves (a .venv with the package and its extras) and are idempotent.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast lint venv clean sounds bench python-venv soak

$(BIN)/python:
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || $(MAKE) --no-print-directory python-venv
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

# Debian's python3 lacks venv/ensurepip until python3-venv is installed: install it as root,
# or say exactly what to do.
python-venv:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq python3-venv; \
	else \
		echo "cc112: Python's venv module is missing; run: sudo apt-get install python3-venv" >&2; exit 1; \
	fi

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
	$(BIN)/lint-imports
	$(BIN)/asterisklint dialplan-check dialplan/extensions.conf

test: $(STAMP) lint
	$(BIN)/python -m pytest

# The same without the tests marked `slow` (the whole demo, the quick bench): for the edit-test loop.
test-fast: $(STAMP) lint
	$(BIN)/python -m pytest -m "not slow"

# The soak run at full length (10 minutes); `make test` runs it for 30 s.
soak: $(STAMP)
	CC112_SOAK_SECONDS=600 $(BIN)/python -m pytest -s --timeout=900 tests/reliability/test_soak.py

sounds:
	bash sounds/generate.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
