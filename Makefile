# Everything needs only python3, pip and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test quick lint bench clean docs

$(BIN)/hardhull: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

demo: $(BIN)/hardhull
	@echo "== insecure example (expect findings) =="
	@$(BIN)/hardhull scan examples/insecure || echo "(exit $$?: the admission policy denies it, as a CI gate would fail)"
	@echo
	@echo "== hardened example (expect none) =="
	@$(BIN)/hardhull scan examples/hardened

lint: $(BIN)/hardhull
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -q

quick: $(BIN)/hardhull
	$(BIN)/python -m pytest -q -m "not slow"

docs: $(BIN)/hardhull
	$(BIN)/hardhull rules --write-docs docs/rules

# side by side with trivy, checkov and hadolint, and the webhook under load (about 12 minutes)
bench: $(BIN)/hardhull
	bash ../shared/tools/install-peers.sh /tmp/peers
	$(BIN)/python bench/k8s_corpus.py --out docs/benchmarks.md
	$(BIN)/python bench/docker_corpus.py --out docs/benchmarks.md
	$(BIN)/python bench/memory.py --out docs/benchmarks.md
	$(BIN)/python bench/admission_load.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
