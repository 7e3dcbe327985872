# Two entry points matter: `make demo` (build the Padova demo and serve it) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

demo: install
	$(BIN)/welfare demo

test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: install
	$(BIN)/ruff check welfare_district tests benchmarks
	$(BIN)/mypy welfare_district benchmarks

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf var test-artifacts .pytest_cache .mypy_cache .ruff_cache
