# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHAINLP_READ_ONLY := 1

.PHONY: run test install bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, seed demo data into an empty database, serve on http://127.0.0.1:8000
## (with the web chat for trying the bot switched on)
run: $(STAMP)
	$(BIN)/khruakhai db upgrade
	$(BIN)/khruakhai db seed-demo
	WEB_CHAT_ENABLED=true $(BIN)/khruakhai serve --host 127.0.0.1 --port 8000 --no-migrate

## make test: install, then run the whole suite (PostgreSQL too when TEST_DATABASE_URL is set)
test: $(STAMP)
	@bash tools/ensure_chromium.sh
	$(BIN)/pytest -n auto --maxprocesses 4 --dist loadfile

bench: $(STAMP)
	$(BIN)/python bench/thai_parse.py

clean:
	rm -rf $(VENV) .pytest_cache khruakhai.db khruakhai.db-wal khruakhai.db-shm
