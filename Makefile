# The two commands: `make run` and `make test`. Everything else is CMake.
BUILD      ?= build
BUILD_ASAN ?= build-asan
JOBS       ?= 2
MAKEFLAGS  += --no-print-directory
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCANH_WERROR=ON

.PHONY: all deps build build-asan run test test-fast test-asan fuzz clean format check-style

all: build

deps:
	@scripts/install-deps -q

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

build-asan: deps
	@cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DCANH_WERROR=ON -DCANH_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD_ASAN) -j$(JOBS)

run: build
	@scripts/run-demo $(BUILD)

# Every test through ctest, then again with ASan + UBSan.
test: build build-asan check-style
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir $(BUILD_ASAN) --output-on-failure -j$(JOBS)

test-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

fuzz: deps
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCANH_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j$(JOBS)
	@echo "fuzzers are in build-fuzz/fuzz/ (run e.g. build-fuzz/fuzz/fuzz_proto fuzz/corpus/proto)"

check-style:
	@scripts/checksrc

format:
	@clang-format -i lib/*.c lib/canh/*.h server/*.c server/*.h agent/*.c agent/*.h cli/*.c cli/*.h tests/unit/*.c fuzz/*.c bench/*.c

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) build-fuzz
