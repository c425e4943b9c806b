# Everything needs only python3, pip and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test quick lint bench clean docs

# Microsoft's SARIF validator for tests/report/test_sarif_validator.py, installed once into
# .cache/npm (pinned); without npm or the network the install is skipped and so is the test
SARIF_MULTITOOL_VERSION := 5.7.0
SARIF_MULTITOOL := .cache/npm/node_modules/@microsoft/sarif-multitool/package.json

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
	@echo
	@echo "== an image: a docker save archive written by examples/image/build_demo_image.py =="
	@mkdir -p .cache
	@$(BIN)/python examples/image/build_demo_image.py .cache/demo-image.tar
	@$(BIN)/hardhull image .cache/demo-image.tar --no-cache || echo "(exit $$?: high findings fail the image gate)"

lint: $(BIN)/hardhull
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

$(SARIF_MULTITOOL):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-audit --no-fund --prefix .cache/npm \
	    @microsoft/sarif-multitool@$(SARIF_MULTITOOL_VERSION) \
	  || echo "note: SARIF validator not installed (no network?): its test will skip"; \
	else echo "note: npm not found: the SARIF validator test will skip"; fi

# The official Sigstore JavaScript verifier (@sigstore/verify, with @sigstore/bundle's validation
# and the crypto of @sigstore/core) for tests/sign/test_sigstore_js.py, pinned, into .cache/npm;
# verify 3.x is the last line that runs on node 20. Without npm or the network the install is
# skipped and so are those tests
SIGSTORE_JS := @sigstore/verify@3.1.1 @sigstore/bundle@4.0.0 @sigstore/core@3.2.1 \
  @sigstore/protobuf-specs@0.5.0
SIGSTORE_VERIFY := .cache/npm/node_modules/@sigstore/verify/package.json

$(SIGSTORE_VERIFY):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-audit --no-fund --prefix .cache/npm $(SIGSTORE_JS) \
	  || echo "note: Sigstore JS verifier not installed (no network?): its tests will skip"; \
	else echo "note: npm not found: the Sigstore JS verifier tests will skip"; fi

# Debian's skopeo (writes images in every transport) and docker-registry (an OCI registry the
# image tests start on 127.0.0.1 with a config of their own), for the image tests, rpm
# (rpmbuild, and rpm itself reading the test databases; tests/vulndb compares versions with
# its rpm.vercmp) and db5.3-util (Berkeley DB's db_load
# writes the rpm Berkeley DB test databases) for the SBOM tests; installed where apt-get can
# run as root, else those tests skip with the reason (Go is installed apart, below: a mirror
# without it must not keep these from installing)
DEBS := skopeo docker-registry rpm db5.3-util
DEBS_STAMP := .cache/debs.stamp

$(DEBS_STAMP): Makefile
	@mkdir -p .cache
	@if command -v skopeo >/dev/null 2>&1 && command -v docker-registry >/dev/null 2>&1 \
	  && command -v rpmbuild >/dev/null 2>&1 && command -v db5.3_load >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEBS) >/dev/null \
	  || (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEBS) >/dev/null) \
	  || echo "note: $(DEBS) not installed: the image tests that need them will skip"; \
	else echo "note: cannot install $(DEBS) (not root or no apt-get): the image tests that need them will skip"; fi
	@touch $@

# Go and golang.org/x/crypto (Debian's packages) for tests/sign/test_go_reader.py: an
# independent reader of cosign's key format and payload on the libraries cosign uses; installed
# where apt-get can run as root, else that test skips with the reason
GO_DEBS := golang-go golang-golang-x-crypto-dev
GO_STAMP := .cache/go-debs.stamp

$(GO_STAMP): Makefile
	@mkdir -p .cache
	@if command -v go >/dev/null 2>&1 && [ -d /usr/share/gocode/src/golang.org/x/crypto/nacl ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(GO_DEBS) >/dev/null \
	  || (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(GO_DEBS) >/dev/null) \
	  || echo "note: $(GO_DEBS) not installed: the Go cosign-format tests will skip"; \
	else echo "note: cannot install $(GO_DEBS) (not root or no apt-get): the Go cosign-format tests will skip"; fi
	@touch $@

# Prometheus 2.42 and promtool (Debian's prometheus) for tests/runtime/test_prometheus_rules.py:
# promtool checks and unit-tests examples/prometheus, and a Prometheus on 127.0.0.1 scrapes
# hardhull runtime. Installed where apt-get can run as root (without recommends, and with
# RUNLEVEL=1 so that the package starts no service of its own), else those tests skip
PROM_DEBS := prometheus
PROM_STAMP := .cache/prometheus-debs.stamp

$(PROM_STAMP): Makefile
	@mkdir -p .cache
	@if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(PROM_DEBS) >/dev/null \
	  || (apt-get update -q >/dev/null && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(PROM_DEBS) >/dev/null) \
	  || echo "note: $(PROM_DEBS) not installed: the Prometheus rule tests will skip"; \
	else echo "note: cannot install $(PROM_DEBS) (not root or no apt-get): the Prometheus rule tests will skip"; fi
	@touch $@

test: lint $(SARIF_MULTITOOL) $(SIGSTORE_VERIFY) $(DEBS_STAMP) $(GO_STAMP) $(PROM_STAMP)
	$(BIN)/python -m pytest -q

quick: $(BIN)/hardhull $(SARIF_MULTITOOL) $(SIGSTORE_VERIFY) $(DEBS_STAMP) $(GO_STAMP) $(PROM_STAMP)
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
	$(BIN)/python bench/signed_admission.py
	$(BIN)/python bench/runtime_audit.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .cache
