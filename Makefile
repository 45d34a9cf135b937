# Quick start: `make report` then `make test`. Everything runs inside .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install report test bench data clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

report: install
	mkdir -p reports
	$(PY) -m evaltools load data --to reports/tables.xlsx

test: install
	$(PY) -m pytest -q

bench: install
	$(PY) benchmarks/run.py

# Rebuild the committed sample data (the seed forms and the synthetic county).
data: install
	$(PY) scripts/build_seed_data.py
	$(PY) scripts/make_synthetic.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info src/*.egg-info
