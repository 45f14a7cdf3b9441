# Yiwang: the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export YIWANG_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test install install-dev chromium fonts poppler lock messages worker clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Yiwang needs Python 3.11, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(BIN)/pip install --quiet -r requirements-dev.lock
	@touch $@

# Browser tests drive Debian's chromium (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; \
	  else echo "Install Debian's chromium (apt-get install -y chromium) for the browser tests"; exit 1; fi; }

# Seal pictures and license PDFs need a font with Chinese characters: Debian's AR PL UMing unless
# YIWANG_CJK_FONT names another.
fonts:
	@[ -n "$$YIWANG_CJK_FONT" ] || [ -e /usr/share/fonts/truetype/arphic/uming.ttc ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y -q fonts-arphic-uming >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q fonts-arphic-uming >/dev/null; }; \
	  else echo "Install a font with Chinese characters (apt-get install -y fonts-arphic-uming) or set YIWANG_CJK_FONT"; exit 1; fi; }

# Tests read license PDFs back as a reader would (pdftotext, pdftoppm): Debian's poppler-utils.
poppler:
	@command -v pdftotext >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y -q poppler-utils >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q poppler-utils >/dev/null; }; \
	  else echo "Install Debian's poppler-utils (apt-get install -y poppler-utils) for the PDF tests"; exit 1; fi; }

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: environment, install, migrate, demo city when the database is empty, serve on :8000
## with a task worker beside the server (uploads to the data hub and quality scores run there)
run: install fonts
	$(BIN)/yiwang bootstrap
	$(BIN)/yiwang worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/yiwang runserver 127.0.0.1:8000

## make test: lint, format check, types, import contracts, tests
test: install-dev chromium fonts poppler
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy yiwang bench
	$(BIN)/lint-imports
	$(BIN)/yiwang makemigrations --check --dry-run
	$(BIN)/pytest -n 2 --dist loadgroup

lock: $(BIN)/python
	$(BIN)/pip install --quiet "pip-tools>=7.4"
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -c requirements.lock -o requirements-dev.lock pyproject.toml

messages: install-dev
	$(BIN)/yiwang makemessages --locale zh_Hans --no-obsolete --no-location \
	  --ignore '.venv/*' --ignore 'var/*' --ignore 'bench/*' --ignore '*/tests/*'
	$(BIN)/yiwang compilemessages --locale zh_Hans --ignore '.venv/*' --ignore 'var/*' 

worker: install
	$(BIN)/yiwang worker

clean:
	rm -rf $(VENV) var/db.sqlite3*
