# Two commands on a fresh machine: `make run` (the web app with its demo campaign) and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5006

.PHONY: run test lint demo system-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# the CPU wheel first, so no dependency pulls a multi-GB CUDA build
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

# Debian packages: chromium for the browser tests, voronota for Voronoi contact areas.
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v voronota >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium voronota; \
	fi

run: $(STAMP)
	@echo "workbench app: http://127.0.0.1:$(PORT)/workbench"
	$(BIN)/panel serve apps/workbench.py --address 127.0.0.1 --port $(PORT)

demo: $(STAMP)
	$(BIN)/workbench run --demo campaign --out runs/demo

lint: $(STAMP)
	$(BIN)/ruff check workbench tests benchmarks apps

test: $(STAMP) system-deps
	$(BIN)/ruff check workbench tests benchmarks apps
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) runs test-artifacts .pytest_cache
