PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test setup clean wheel fuzz fuzz-collect fuzz-runyaml bench-setup

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# byte-compile once, as installing a wheel does: where PYTHONDONTWRITEBYTECODE is set (CI
	# images), every start would otherwise recompile each module
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/faultlens explain samples/floor-down

# PYTEST_ARGS narrows a run: make test PYTEST_ARGS='-m "not slow"'
PYTEST_ARGS ?=
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Coverage-guided fuzzing of the explain path for FUZZ_SECONDS (crashes land in ./crash-*:
# keep them in tests/fuzz/regressions/).
FUZZ_SECONDS ?= 300
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet atheris
	mkdir -p .fuzz-corpus && cp -n tests/fuzz/seeds/* .fuzz-corpus/
	$(BIN)/python tests/fuzz/fuzz_explain.py -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=4096 .fuzz-corpus

# The same for the parser of `faultlens collect`'s listing (names must round-trip exactly).
fuzz-collect: $(STAMP)
	$(BIN)/python -m pip install --quiet atheris
	mkdir -p .fuzz-corpus-collect && cp -n tests/fuzz/seeds-collect/* .fuzz-corpus-collect/
	$(BIN)/python tests/fuzz/fuzz_collect.py -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=4096 .fuzz-corpus-collect

# The same for run.yaml as `report` reads it (crashes: keep them in tests/fuzz/regressions-runyaml/).
fuzz-runyaml: $(STAMP)
	$(BIN)/python -m pip install --quiet atheris
	mkdir -p .fuzz-corpus-runyaml && cp -n tests/fuzz/seeds-runyaml/* .fuzz-corpus-runyaml/
	$(BIN)/python tests/fuzz/fuzz_runyaml.py -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=2048 .fuzz-corpus-runyaml

# The benchmarks' peers: Drain3 from PyPI, ripgrep from apt (bench/README.md has the commands);
# logreduce 0.6.1 (scikit-learn, numpy, scipy) in a venv of its own, never beside faultlens.
LOGREDUCE_VENV ?= .venv-logreduce

bench-setup: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	command -v rg >/dev/null || (apt-get install -y ripgrep || sudo apt-get install -y ripgrep)
	test -x $(LOGREDUCE_VENV)/bin/logreduce || ($(PYTHON) -m venv $(LOGREDUCE_VENV) && \
		$(LOGREDUCE_VENV)/bin/python -m pip install --quiet logreduce==0.6.1)

wheel: $(STAMP)
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .

clean:
	rm -rf $(VENV) $(LOGREDUCE_VENV) dist build .pytest_cache .fuzz-corpus .fuzz-corpus-collect .fuzz-corpus-runyaml
