PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test setup clean wheel fuzz bench-setup

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

test: $(STAMP)
	$(BIN)/python -m pytest

# Coverage-guided fuzzing of the explain path for FUZZ_SECONDS (crashes land in ./crash-*:
# keep them in tests/fuzz/regressions/).
FUZZ_SECONDS ?= 300
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet atheris
	mkdir -p .fuzz-corpus && cp -n tests/fuzz/seeds/* .fuzz-corpus/
	$(BIN)/python tests/fuzz/fuzz_explain.py -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=4096 .fuzz-corpus

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
	rm -rf $(VENV) $(LOGREDUCE_VENV) dist build .pytest_cache .fuzz-corpus
