# learn-mp — build, test, verify the lessons, benchmark.
#   make deps     install what a fresh Debian machine lacks (cmark-gfm, chromium, tqdm)
#   make verify   the main job: build, run every lesson's demos (Swift, Python, Node), check them
#   make test     the test suites
#   make bench    the library beside Python's multiprocessing and Node.js, in one run
#   make mutants  every committed wrong-but-plausible edit of a sample must be caught (N caught of M)
#   make faults   the fault and leak suite: one line per case (name, PASS/FAIL, figure)
#   make asan     the library's tests under AddressSanitizer (own scratch path; not in CI)
#   make tsan     the library's tests under ThreadSanitizer (own scratch path; not in CI)
#   make fuzz     libFuzzer on the lesson parser and the output matcher (FUZZ_SECONDS; not in CI)

SWIFT ?= swift
JOBS ?= $(shell nproc)
BIN := .build/debug
RELEASE_BIN := .build/release

.PHONY: deps build test verify mutants bench export browser-check faults asan tsan fuzz clean

deps:
	@missing=""; \
	for pkg in libcmark-gfm-dev libcmark-gfm-extensions-dev chromium fonts-noto-cjk; do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@python3 -c 'import tqdm' 2>/dev/null || python3 -m pip install -q tqdm

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

bench: deps
	$(SWIFT) build -c release --static-swift-stdlib --product mp-bench -j $(JOBS)
	python3 bench/run.py --swift $(RELEASE_BIN)/mp-bench

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

# libFuzzer on the lesson parser and the output matcher, seeded from the test corpus. The
# harness target exists only with LEARN_MP_FUZZ=1 (it has no main; libFuzzer brings one).
FUZZ_SECONDS ?= 180
FUZZ_CORPUS := Tests/LessonKitTests/Corpus

fuzz: deps
	LEARN_MP_FUZZ=1 $(SWIFT) build --product lesson-fuzz -Xswiftc -sanitize=fuzzer,address --scratch-path .build-fuzz -j $(JOBS)
	@mkdir -p .build-fuzz/seeds .build-fuzz/found
	@for f in $(FUZZ_CORPUS)/lessons/*.md; do { printf '\000'; cat "$$f"; } > .build-fuzz/seeds/$$(basename "$$f"); done
	@for f in $(FUZZ_CORPUS)/patterns/*.txt; do { printf '\001'; sed '1d;/^=== actual$$/,$$d' "$$f"; printf '\000'; sed '1,/^=== actual$$/d' "$$f"; } > .build-fuzz/seeds/$$(basename "$$f"); done
	ASAN_OPTIONS=detect_leaks=0 .build-fuzz/debug/lesson-fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=5 -max_len=4096 \
	  -artifact_prefix=.build-fuzz/ .build-fuzz/found .build-fuzz/seeds

clean:
	rm -rf .build .build-asan .build-tsan .build-fuzz
