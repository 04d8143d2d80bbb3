# learn-mp — build, test, verify the lessons, benchmark.
#   make deps     install what a fresh Debian machine lacks (cmark-gfm, chromium, tqdm)
#   make verify   the main job: build, run every lesson's demos (Swift, Python, Node), check them
#   make test     the test suites
#   make bench    the library beside Python's multiprocessing and Node.js, in one run

SWIFT ?= swift
JOBS ?= $(shell nproc)
BIN := .build/debug
RELEASE_BIN := .build/release

.PHONY: deps build test verify bench export browser-check faults clean

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

export: build
	$(BIN)/learn-mp export --out site

# Headless Chromium loads every exported page, checks the tabs, writes screenshots to .build/screenshots.
browser-check: export
	bash .ci/browser-check.sh site

bench: deps
	$(SWIFT) build -c release --product mp-bench -j $(JOBS)
	python3 bench/run.py --swift $(RELEASE_BIN)/mp-bench

clean:
	rm -rf .build
