# Two entry points: `make run` (dashboard on the bundled data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8050
# Small models in parallel processes: one BLAS thread each (see scripts/refresh_cache.py).
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: run refresh test lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

refresh: $(VENV)/.installed
	APP_ENV=development $(BIN)/python scripts/refresh_cache.py

run: refresh
	@echo
	@echo "  KPI dashboard: http://127.0.0.1:$(PORT)   (login: demo / demo)"
	@echo
	APP_ENV=development PORT=$(PORT) $(BIN)/gunicorn --config gunicorn.conf.py \
		--bind 127.0.0.1:$(PORT) app:server

test: $(VENV)/.installed-dev
	scripts/install_test_services.sh
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

bench: $(VENV)/.installed-dev
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .local-store .pytest_cache test-artifacts
