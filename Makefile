# Secondline: the two commands a fresh machine needs are `make demo` and `make test`.
# Both create the project's virtual environment (.venv) on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv lint demo up test protos protos-check lint-protos breaking k8s-check bench bench-classification bench-gate bench-freshness scenarios lock clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/secondline demo

up: $(STAMP)
	$(BIN)/secondline up

# The tests run on the embedded SQLite default, and on PostgreSQL too when
# SECONDLINE_TEST_POSTGRES_URL names a server that answers (CI sets it).
test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Python code from protos/ (one reproducible step; the output is committed, never edited).
protos: $(STAMP)
	$(BIN)/python tools/genprotos.py

protos-check: $(STAMP)
	$(BIN)/python tools/genprotos.py --check

lint-protos: $(STAMP)
	$(BIN)/buf lint

# buf breaking against the contracts as last landed (protos/landed.binpb; protos/vendor/README.md).
breaking: $(STAMP)
	$(BIN)/buf breaking --against protos/landed.binpb

lint: $(STAMP)
	$(BIN)/ruff check libs services cli tests tools

# The Kubernetes manifests rendered and validated offline, the Dockerfile linted (k8s/check.sh).
k8s-check: $(STAMP)
	bash k8s/check.sh

bench: $(STAMP)
	$(BIN)/secondline bench ingest $(BENCH_ARGS)

bench-classification: $(STAMP)
	$(BIN)/secondline bench classification $(BENCH_ARGS)

bench-gate: $(STAMP)
	$(BIN)/secondline bench gate $(BENCH_ARGS)

bench-freshness: $(STAMP)
	$(BIN)/secondline bench freshness $(BENCH_ARGS)

scenarios: $(STAMP)
	$(BIN)/secondline scenarios ../shared/spec/scenarios tests/scenarios

lock:
	rm -rf /tmp/secondline-lock && $(PYTHON) -m venv /tmp/secondline-lock
	/tmp/secondline-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/secondline-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) build *.egg-info
