# Provincial e-office on Tryton 8.0.
#
#   make run     install what is missing, create or upgrade the demo database
#                and serve it on http://127.0.0.1:$(PORT)/
#   make test    install what is missing, run the tests on SQLite then PostgreSQL
#                (make test ARGS="-k signing" passes arguments to pytest)
#   make bench   run the benchmarks
#   make serve   production: gunicorn, trytond-cron and trytond-worker on
#                PostgreSQL (CONFIG=config/production.conf DATABASE=eoffice),
#                behind the HTTPS proxy of config/nginx.conf
#
# Everything the project needs is installed from here: Debian packages (when
# root), the Python virtualenv .venv/ and the sao web client under var/sao/.
# Runtime data lives in var/; delete it to start afresh.

PORT ?= 8000
DATABASE ?= demo
CONFIG ?= config/production.conf
ARGS ?=
PYTHON ?= python3

# Debian packages: PostgreSQL for the second test run and production,
# Chromium and its driver for the browser tests, SoftHSM and OpenSC for the
# PKCS#11 signing tests, Noto fonts to render Vietnamese, Ghostscript for
# the PDF/A renditions of archival packages.
DEB_PACKAGES = python3-venv postgresql chromium chromium-driver softhsm2 \
	opensc fonts-noto-core ghostscript

VENV = .venv
BIN = $(VENV)/bin
SAO = var/sao/package
SAO_LOCALE = config/sao/vi.po

# trytond reads any option from TRYTOND_<SECTION>__<OPTION>; the configuration
# files hold no paths, so these absolute ones are passed this way.
DEMO_ENV = TRYTOND_DATABASE__PATH=$(CURDIR)/var/db \
	TRYTOND_MVP_SIGNING__KEY_DIRECTORY=$(CURDIR)/var/pki \
	TRYTOND_PASSWORD__FORBIDDEN=$(CURDIR)/config/forbidden-passwords.txt \
	TRYTOND_WEB__ROOT=$(CURDIR)/$(SAO) \
	TRYTOND_WEB__LISTEN=127.0.0.1:$(PORT) \
	TRYTONPASSFILE=$(CURDIR)/var/admin-password

.PHONY: run serve test bench deb venv sao demo-db clean

run: deb venv sao demo-db
	@echo "Serving database '$(DATABASE)' on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	@echo "The password of the login 'admin' is in var/admin-password"
	$(DEMO_ENV) $(BIN)/trytond -c config/demo.conf -d $(DATABASE)

# The database is made beforehand (config/README.md, mvp db init).
serve: deb venv sao
	$(BIN)/mvp serve -c $(CONFIG) -d $(DATABASE) --bind 127.0.0.1:$(PORT)

test: deb venv sao
	$(BIN)/python tests/run.py $(ARGS)

bench: deb venv
	@if [ -f bench/run.py ]; then $(BIN)/python bench/run.py $(ARGS); \
	else echo "bench/run.py does not exist yet"; fi

# Checks every time (it is quick); installs only what is missing.
deb:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian packages:$$missing"; \
			apt-get update -q && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
				--no-install-recommends $$missing; \
		else \
			echo "Missing Debian packages:$$missing"; \
			echo "Install them as root: apt-get install$$missing"; \
			exit 1; \
		fi; \
	fi

venv: $(VENV)/.installed

# requirements.txt pins every package that the install resolves; README.md
# says how to refresh it after changing the dependencies in pyproject.toml.
$(VENV)/.installed: pyproject.toml requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c requirements.txt -e '.[test]'
	touch $@

# The sao web client: the npm tarball ships a built dist/, its runtime
# libraries come as its npm dependencies.
sao: $(SAO)/.installed $(if $(wildcard $(SAO_LOCALE)),$(SAO)/locale/vi.json) \
	$(SAO)/custom.js

$(SAO)/.installed:
	rm -rf var/sao && mkdir -p var/sao
	cd var/sao && tar xzf "$$(npm pack --silent 'tryton-sao@~8.0')"
	cd $(SAO) && npm install --omit=dev --legacy-peer-deps --no-audit --no-fund
	touch $@

$(SAO)/locale/vi.json: $(SAO_LOCALE) $(SAO)/.installed $(VENV)/.installed
	$(BIN)/mvp webclient locale $(SAO_LOCALE) $@

# sao's index.html loads custom.js: it translates what sao leaves in English
# and names the system in the title bar.
$(SAO)/custom.js: config/sao/custom.js $(SAO)/.installed
	cp $< $@

demo-db: venv
	mkdir -p var/db
	$(DEMO_ENV) $(BIN)/mvp db init -c config/demo.conf -d $(DATABASE) --demo

clean:
	rm -rf $(VENV) var tests/artifacts
