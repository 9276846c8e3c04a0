# Entry points for a fresh Debian 12 machine; each target wraps a script in scripts/.
#   make run     install deps, build release, migrate, seed demo data, serve on :3001
#   make test    install deps, build debug (ASan+UBSan), run all tests with throwaway PG + Redis
#                (extra ctest arguments: make test ARGS="-R Config")
#   make build   release build -> build/iam        make debug   debug build -> build-debug/
#   make deps    install the Debian packages       make clean   remove build/ and build-debug/
#   make bench   install deps, build release + micro-benchmarks, run every benchmark scenario with
#                its own PostgreSQL + Redis, write bench/results/<date>-<commit>.md and its charts
#                (extra arguments: make bench ARGS="--size tiny"; see bench/run --help)
JOBS ?= 2
ARGS ?=

.PHONY: all build debug run test bench deps clean

all: build

deps:
	bash scripts/install-deps.sh

build: deps
	cmake --preset release --log-level=WARNING
	cmake --build --preset release -j$(JOBS)

debug: deps
	cmake --preset debug --log-level=WARNING
	cmake --build --preset debug -j$(JOBS)

run:
	JOBS=$(JOBS) bash scripts/run.sh

test:
	JOBS=$(JOBS) bash scripts/test.sh $(ARGS)

bench: deps
	JOBS=$(JOBS) bash bench/run $(ARGS)

clean:
	rm -rf build build-debug
