# claimbench: `make verify` and `make test` set everything up on first use.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
SCALE  ?= default
STRICT ?= 0
RESULTS ?= results
PYTHONS ?=
# The free-threaded series the default matrix looks for (found, or built once with pyenv).
FREETHREADED ?= 3.13 3.14
RUNS   ?= 5
# fork, forkserver or spawn: how every experiment that uses the default start method starts its
# processes (pools, executors); empty: the platform's default.
START_METHOD ?=
START := $(if $(strip $(START_METHOD)),--start-method=$(START_METHOD),)

.PHONY: verify test report unit examples venv clean clean-runtimes matrix freethreaded stability controls screenshot

$(VENV)/.installed: requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "claimbench: error: cannot create $(VENV) with $(PYTHON)" >&2; exit 2; }
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

venv: $(VENV)/.installed

verify: venv
	$(PY) -m claimbench verify --scale=$(SCALE) --strict=$(STRICT) --results-dir=$(RESULTS) $(START)

report: venv
	$(PY) -m claimbench report --results-dir=$(RESULTS)

# RUNS quiet verify runs, one under one usable CPU, one beside a CPU hog, into $(RESULTS)/stability/;
# per-claim agreement in $(RESULTS)/stability.md and in the main report.
stability: venv
	$(PY) -m claimbench stability --runs=$(RUNS) --scale=$(SCALE) --results-dir=$(RESULTS)

# Every claim's planted counterparts (claimbench/core/roles.py): results/controls.md and controls.csv.
# Quick scale unless SCALE is given.
CONTROLS_SCALE = $(if $(filter command line environment,$(origin SCALE)),$(SCALE),quick)
controls: venv
	$(PY) -m claimbench controls --scale=$(CONTROLS_SCALE) --strict=$(STRICT) --results-dir=$(RESULTS) $(START)

unit: venv
	$(PY) -m pytest tests -q -p no:cacheprovider

# Another project's claims (three sentences of the asyncio and concurrent.futures docs), run from
# its own folder with plain pytest and the installed plugin: examples/asyncio-docs/README.md.
examples: venv
	rm -rf build/examples && mkdir -p build/examples
	cd examples/asyncio-docs && $(abspath $(PY)) -m pytest -q --claimbench-results-dir=$(abspath build/examples)

# The project's tests: the package's unit tests, then every claim at the quick scale and their
# controls (into build/, so a test run never touches the stored results); then the timing claims
# again under the start methods that are not this platform's default (the behaviour claims run
# under every start method anyway): pools and executors started by forkserver and spawn too.
test: unit examples
	rm -rf build/test-results
	$(PY) -m claimbench verify --scale quick --strict=$(STRICT) --results-dir build/test-results
	$(PY) -m claimbench controls --scale quick --strict=$(STRICT) --results-dir build/test-results
	$(PY) -m claimbench report --results-dir build/test-results  # the verify run's report, its controls beside it
	@for m in $$($(PY) -c "from claimbench.core import runtime; print(*runtime.other_start_methods())"); do \
		echo "== timing claims with start method $$m"; \
		$(PY) -m claimbench verify --scale quick --strict=$(STRICT) --results-dir build/test-results \
			--start-method $$m --sessions timing --no-report || exit $$?; \
	done
	PY=$(PY) tools/screenshot-report build/test-results/report.html build/test-results/report.png

# A screenshot of results/report.html in headless Chromium (Debian's chromium), checked to show a page:
# build/report.png. Without Chromium, one line says so.
screenshot: venv
	PY=$(PY) tools/screenshot-report results/report.html build/report.png

# Every claim on each interpreter of PYTHONS ("3.11 3.13t debian:3.14 3.8"; default: every CPython
# found, plus a free-threaded one and Debian's 3.14 and 3.15), one after another, each in its own
# .venvs/<version>/: results/matrix.md. debian:X.Y runs in a Debian chroot (tools/debian-runtimes,
# as root; the default matrix goes on without it where it cannot be made, and says why).
# What the default matrix wanted and could not have is a line of build/matrix-left-out.txt each,
# and matrix.md says so.
LEFT_OUT := build/matrix-left-out.txt
matrix: venv
	@mkdir -p build && rm -f $(LEFT_OUT)
	@$(if $(strip $(PYTHONS)),true,for s in $(FREETHREADED); do LEFT_OUT=$(LEFT_OUT) PY=$(PY) tools/freethreaded $$s || exit $$?; done)
	@LEFT_OUT=$(LEFT_OUT) tools/debian-runtimes ensure --for "$(PYTHONS)" >/dev/null
	$(PY) -m claimbench matrix --pythons="$(PYTHONS)" --scale=$(SCALE) --strict=$(STRICT) --results-dir=$(RESULTS) \
		--left-out=$(LEFT_OUT)

# A free-threaded CPython of each FREETHREADED series: found (pyenv, PATH, uv), or built once with pyenv.
# A series that cannot be had here (no pyenv, no source) is left out with one line, as the default
# matrix leaves it out, and the status is 0; only a build that fails stops it.
freethreaded: venv
	@for s in $(FREETHREADED); do PY=$(PY) tools/freethreaded $$s || exit $$?; done

# The Debian chroot of tools/debian-runtimes and the venvs made in it.
clean-runtimes:
	tools/debian-runtimes clean

clean:
	rm -rf build results/.tmp
