# The two commands a newcomer needs:
#   make demo   set up, then answer a question about a post (the main job)
#   make test   set up, then run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUESTION ?= What does the post say LongT5 is good at?

.PHONY: setup demo test lint bench clean

$(BIN)/askblog: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(BIN)/askblog

demo: setup
	$(BIN)/askblog ask "$(QUESTION)" --context-file examples/post.md

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/askblog bench latency

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
