# learn-mp — build, test, verify the lessons, benchmark.
#   make deps     install what a fresh Debian machine lacks (cmark-gfm, chromium, tqdm), saying what
#   make verify   the main job: build, run every lesson's demos (Swift, Python, Node), check them
#   make test     the test suites
#   make bench    the library beside Python's multiprocessing and Node.js, in one run
#   make mutants  every committed wrong-but-plausible edit of a sample must be caught (N caught of M)
#   make faults   the fault and leak suite: one line per case (name, PASS/FAIL, figure)
#   make asan     the library's tests under AddressSanitizer (own scratch path; not in CI)
#   make tsan     the library's tests under ThreadSanitizer (own scratch path; not in CI)
#   make fuzz     libFuzzer on the lesson parser and the output matcher (FUZZ_SECONDS; not in CI)
#   make docs     DocC for Multiprocessing and LessonKit into site/docs, warnings are errors (not in CI)

SWIFT ?= swift
JOBS ?= $(shell nproc)
BIN := .build/debug
RELEASE_BIN := .build/release

.PHONY: deps build test verify bench export browser-check docs mutants faults asan tsan fuzz clean

# tqdm goes to the python3 the runner finds on PATH (PYTHON overrides): Debian's own python3 is
# externally managed (PEP 668: pip refuses to install into it), so it gets the distribution's
# python3-tqdm; any other (pyenv, a virtual environment) gets `pip install tqdm`.
PYTHON ?= python3

deps:
	@missing=""; \
	for pkg in libcmark-gfm-dev libcmark-gfm-extensions-dev chromium fonts-noto-cjk; do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@py="$$(command -v $(PYTHON))" || { echo "deps: $(PYTHON) not found; install python3 (Debian package python3)" >&2; exit 1; }; \
	real="$$(readlink -f "$$py")"; \
	if "$$py" -c 'import tqdm' 2>/dev/null; then \
	  echo "deps: tqdm already importable by $$py ($$("$$py" -c 'import tqdm; print(tqdm.__version__)'))"; \
	elif dpkg -S "$$real" >/dev/null 2>&1; then \
	  echo "deps: $$py is Debian's python3 (externally managed): installing the Debian package python3-tqdm"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-tqdm >/dev/null; \
	elif [ -f "$$("$$py" -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')/EXTERNALLY-MANAGED" ]; then \
	  echo "deps: $$py is externally managed and not Debian's: install tqdm with its own package manager," >&2; \
	  echo "      or create a virtual environment (python3 -m venv DIR; DIR/bin/pip install tqdm) and put DIR/bin first on PATH" >&2; \
	  exit 1; \
	else \
	  echo "deps: installing tqdm into $$py with pip"; \
	  "$$py" -m pip install -q tqdm; \
	fi; \
	"$$py" -c 'import tqdm' || { echo "deps: tqdm still not importable by $$py" >&2; exit 1; }

build: deps
	$(SWIFT) build -j $(JOBS)

test: deps
	$(SWIFT) build --build-tests -j $(JOBS)
	$(SWIFT) test --skip-build --no-parallel

verify: build
	$(BIN)/learn-mp verify all --python --node

# Tests/Mutants/mutants.json: each edit, made to a temporary copy of a sample's program, must
# fail its output block or facts. `make test` runs the fast ones.
mutants: deps
	$(SWIFT) build --build-tests -j $(JOBS)
	LEARN_MP_MUTANTS=all $(SWIFT) test --skip-build --no-parallel --filter MutationTests

export: build
	$(BIN)/learn-mp export --out site

# Headless Chromium loads every exported page, checks the tabs, writes screenshots to .build/screenshots.
browser-check: export
	bash .ci/browser-check.sh site

# DocC catalogues of the two libraries, built for static hosting under site/docs/<Module>; the
# site's footer links to them when they are there (export after docs). DocC pages load their
# data with fetch, which browsers refuse from file://: serve the folder to read them
# (python3 -m http.server -d site). About 3 minutes here, most of it the symbol-graph build.
DOC_TARGETS := Multiprocessing LessonKit

docs: deps
	@mkdir -p site/docs
	@for target in $(DOC_TARGETS); do \
	  $(SWIFT) package --allow-writing-to-directory site/docs generate-documentation --target $$target \
	    --output-path site/docs/$$target --transform-for-static-hosting --hosting-base-path docs/$$target \
	    --warnings-as-errors || exit 1; \
	done

# Two release builds of mp-bench: the normal one, and one with tracing compiled out, against
# which the tracing-off rows are measured; and the debug learn-mp for the runner row.
bench: build
	$(SWIFT) build -c release --static-swift-stdlib --product mp-bench -j $(JOBS)
	$(SWIFT) build -c release --static-swift-stdlib --product mp-bench -j $(JOBS) \
	  --scratch-path .build-notrace -Xswiftc -DLEARN_MP_TRACE_COMPILED_OUT
	python3 bench/run.py --swift $(RELEASE_BIN)/mp-bench \
	  --swift-notrace .build-notrace/release/mp-bench --learn-mp $(BIN)/learn-mp

faults: deps
	$(SWIFT) build --product mp-faults -j $(JOBS)
	$(BIN)/mp-faults

# Sanitizer builds keep their own scratch paths so they never disturb .build. The tests fork;
# each suite is serialized and the run is --no-parallel.
SANITIZED_TESTS ?= MultiprocessingTests

asan: deps
	$(SWIFT) build --build-tests -Xswiftc -sanitize=address --scratch-path .build-asan -j $(JOBS)
	SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
	  $(SWIFT) test --skip-build --no-parallel --scratch-path .build-asan --filter $(SANITIZED_TESTS)

tsan: deps
	$(SWIFT) build --build-tests -Xswiftc -sanitize=thread --scratch-path .build-tsan -j $(JOBS)
	SWIFT_BACKTRACE=enable=no TSAN_OPTIONS=die_after_fork=0:halt_on_error=1 \
	  $(SWIFT) test --skip-build --no-parallel --scratch-path .build-tsan --filter $(SANITIZED_TESTS)

# libFuzzer on the lesson parser and the output matcher, seeded from the test corpus and a long
# paragraph of the kind cmark-gfm is slow on (inputs up to 64 KiB, so the size limits and the
# parser's cost on long inputs are exercised). The harness target exists only with
# LEARN_MP_FUZZ=1 (it has no main; libFuzzer brings one).
FUZZ_SECONDS ?= 180
FUZZ_CORPUS := Tests/LessonKitTests/Corpus

fuzz: deps
	LEARN_MP_FUZZ=1 $(SWIFT) build --product lesson-fuzz -Xswiftc -sanitize=fuzzer,address --scratch-path .build-fuzz -j $(JOBS)
	@mkdir -p .build-fuzz/seeds .build-fuzz/found
	@for f in $(FUZZ_CORPUS)/lessons/*.md; do { printf '\000'; cat "$$f"; } > .build-fuzz/seeds/$$(basename "$$f"); done
	@{ printf '\000---\ntitle: T\n---\n\n'; i=0; while [ $$i -lt 2500 ]; do printf '**b** and [l](http://x)\n'; i=$$((i+1)); done; } > .build-fuzz/seeds/long-paragraph.md
	@for f in $(FUZZ_CORPUS)/patterns/*.txt; do { printf '\001'; sed '1d;/^=== actual$$/,$$d' "$$f"; printf '\000'; sed '1,/^=== actual$$/d' "$$f"; } > .build-fuzz/seeds/$$(basename "$$f"); done
	ASAN_OPTIONS=detect_leaks=0 .build-fuzz/debug/lesson-fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=5 -max_len=65536 \
	  -artifact_prefix=.build-fuzz/ .build-fuzz/found .build-fuzz/seeds

clean:
	rm -rf .build .build-asan .build-tsan .build-fuzz
