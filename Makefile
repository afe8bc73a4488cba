# The two commands a newcomer needs:
#   make demo   set up, load the demo feed, answer a question about its posts (the main job)
#   make test   set up, then run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUESTION ?= How do they measure ball possession in soccer videos?

.PHONY: setup demo test lint bench clean

$(BIN)/askblog: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(BIN)/askblog

demo: setup
	$(BIN)/askblog feeds add examples/demo-feed.atom
	$(BIN)/askblog ask "$(QUESTION)"

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/askblog bench latency

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
