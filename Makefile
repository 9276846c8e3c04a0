# Entry points for a fresh Debian 12 machine; each target wraps a script in scripts/.
#   make run     install deps, build release, migrate, seed demo data, serve on :3001
#   make test    install deps, build debug (ASan+UBSan), run all tests with throwaway PG + Redis
#                (extra ctest arguments: make test ARGS="-R Config")
#   make build   release build -> build/iam        make debug   debug build -> build-debug/
#   make deps    install the Debian packages       make clean   remove build/ and build-debug/
JOBS ?= 2
ARGS ?=

.PHONY: all build debug run test deps clean

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

clean:
	rm -rf build build-debug
