# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: run serve serve-edge test test-browser lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

# DEBUG is off unless said: `make run` is the development server, so it says.
run: export DEBUG = 1
run: $(VENV)/.installed
	$(MANAGE) migrate --noinput
	$(MANAGE) load_seed_story --demo
	$(MANAGE) ensure_staff_user
	$(MANAGE) runserver 127.0.0.1:8000

# Production-like: gunicorn with several workers, DEBUG off, static files hashed and
# compressed by collectstatic and served by WhiteNoise, logs (JSON) on stdout.
# Plain HTTP on 127.0.0.1 (so no SSL redirect); behind a TLS proxy leave the redirect on.
# With no SECRET_KEY in the environment, one is generated once into .secret_key (gitignored).
WORKERS ?= 4
BIND ?= 127.0.0.1:8000
serve: $(VENV)/.installed
	@test -n "$$SECRET_KEY" || test -s .secret_key || \
		(umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(64))" > .secret_key)
	export DEBUG=0 SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-0} \
		SECRET_KEY="$${SECRET_KEY:-$$(cat .secret_key)}" && \
	$(MANAGE) migrate --noinput && \
	$(MANAGE) load_seed_story --demo && \
	$(MANAGE) ensure_staff_user && \
	$(MANAGE) collectstatic --noinput --verbosity 0 && \
	exec $(BIN)/gunicorn newsroom.wsgi:application --bind $(BIND) --workers $(WORKERS) \
		--error-logfile - --log-level info

# The edge cache: Varnish on EDGE_BIND in front of `make serve` on BIND, with the repo's VCL
# (deploy/varnish/default.vcl) and a purge token generated for this run; Ctrl-C stops both.
# Installs Debian's varnish and varnish-modules (xkey) when missing (needs root/apt).
EDGE_BIND ?= 127.0.0.1:8080
VARNISHD ?= /usr/sbin/varnishd
$(VARNISHD):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish varnish-modules

serve-edge: $(VENV)/.installed | $(VARNISHD)
	VARNISHD=$(VARNISHD) $(BIN)/python deploy/varnish/run.py --listen $(EDGE_BIND) --app $(BIND) --with-app

# The same two checks run before each commit with pre-commit (.pre-commit-config.yaml).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# Real-browser tests (tests/browser): Playwright for Python driving Debian's Chromium, never
# a downloaded browser. Installs the chromium package when it is missing (needs root/apt).
CHROMIUM ?= /usr/bin/chromium
$(VENV)/.installed-browser: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,browser]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# axe-core for the accessibility checks (tests/browser/test_look.py): from the npm registry, the
# version tests/browser/axe/package-lock.json pins, under .venv; never served to readers.
AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/axe/package.json tests/browser/axe/package-lock.json
	mkdir -p $(VENV)/axe
	cp tests/browser/axe/package.json tests/browser/axe/package-lock.json $(VENV)/axe/
	npm ci --prefix $(VENV)/axe --ignore-scripts --no-audit --no-fund
	touch $@

test-browser: $(VENV)/.installed-browser $(AXE) | $(CHROMIUM)
	CHROMIUM=$(CHROMIUM) $(BIN)/pytest -m browser tests/browser

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles var
