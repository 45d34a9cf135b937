# Quick start: `make report` then `make test`. Everything runs inside .venv.
# `make report` installs the runtime only (the package and what it imports); `make test`, `make bench`
# and `make data` add the extras they need (pytest, playwright, dask, the synthetic-form writers).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.installed-dev-stamp

.PHONY: install install-dev report test bench data lab clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(STAMP)

install-dev: $(DEV_STAMP)

$(DEV_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

# exit 1 means "the data has problems" (the sample data has them on purpose): the reports are written
report: install
	$(PY) -m evaltools report 'data/[!p]*/**/*' -o reports || [ $$? -eq 1 ]
	$(PY) -m evaltools report data/published -o reports/published || [ $$? -eq 1 ]

# JupyterLab on notebooks/ with the project's kernel (the venv's python3)
lab: install
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

test: install-dev
	$(PY) -m pytest -q

# BASELINE: the commit before the label vocabulary; load speed is shown beside it
BASELINE ?= f78c915
bench: install-dev
	$(PY) benchmarks/run.py --baseline $(BASELINE)

# Rebuild the committed sample data (the seed forms, the real forms of other provinces, the synthetic county).
data: install-dev
	$(PY) scripts/build_seed_data.py
	$(PY) scripts/build_real_forms.py
	$(PY) scripts/make_synthetic.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info src/*.egg-info
