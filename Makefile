# SGPOS Ledger — the two commands (README.md): `make run` and `make test`.
SWIFT ?= swift
SWIFT_FLAGS ?=
DEMO_DIR ?= demo-data

.PHONY: run serve test build release package-binary package bench bench-scale sim fuzz bootstrap clean

bootstrap:
	@scripts/bootstrap

build: bootstrap
	scripts/timed $(SWIFT) build $(SWIFT_FLAGS)

release: bootstrap
	$(SWIFT) build -c release $(SWIFT_FLAGS)

# The node's Debian package (scripts/package, docs/OPERATIONS.md §1):
# .build/package/sgpos_<version>_amd64.deb. Its binary is a release build of sgpos with
# the Swift runtime and Foundation linked in, so the package needs only Debian's libraries.
PACKAGE_SWIFT_FLAGS ?= --static-swift-stdlib
package-binary: bootstrap
	$(SWIFT) build -c release --product sgpos $(PACKAGE_SWIFT_FLAGS) $(SWIFT_FLAGS)

package: package-binary
	scripts/package --binary .build/release/sgpos

# Runs a demo network: one node process per outlet, tills selling over HTTP, a partition healed, every node audited.
run: build
	.build/debug/sgpos demo --dir $(DEMO_DIR)
	.build/debug/sgpos audit verify $(DEMO_DIR)/outlet-1 --genesis $(DEMO_DIR)/genesis.json
	@echo "== the same copy re-executed by the independent Python verifier (scripts/pyverify: written from docs/FORMAT.md and docs/CONTRACTS.md, its own rules interpreter)"
	$$(scripts/python-venv scripts/pyverify/requirements.txt)/bin/python scripts/pyverify/verify.py $(DEMO_DIR)/outlet-1 > $(DEMO_DIR)/pyverify.log \
	  && tail -3 $(DEMO_DIR)/pyverify.log || (tail -20 $(DEMO_DIR)/pyverify.log; exit 1)
	@echo "== the network's sales and GST for the demo day (docs/REPORTS.md; any node's copy holds every outlet)"
	.build/debug/sgpos report sales --data $(DEMO_DIR)/outlet-1
	.build/debug/sgpos report gst --data $(DEMO_DIR)/outlet-1
	@echo "== the web till, back office and receipt checker: \`make serve\` runs the demo and keeps its nodes up until Ctrl-C (docs/WEB.md)"

# The demo, then its nodes kept running with their web pages until Ctrl-C.
serve: build
	.build/debug/sgpos demo --dir $(DEMO_DIR) --serve

# Unit, store, crash and end-to-end tests (Swift Testing), then the independent Python verifier,
# the OpenAPI document validated and schemathesis against a real node (Python steps in their
# own virtual environment, .build/python), the web pages in headless Chromium against real
# nodes (scripts/web-tests), then the fuzz corpora replayed and 1,000 seeded
# mutations per target (make fuzz runs libFuzzer).
# Each step's minutes are printed after it (scripts/timed).
test: build
	scripts/timed $(SWIFT) test $(SWIFT_FLAGS)
	scripts/timed scripts/pyverify/run-tests
	scripts/timed scripts/package-test
	scripts/timed scripts/doc-test
	scripts/timed scripts/check-openapi
	scripts/timed scripts/schemathesis/run
	scripts/timed scripts/web-tests/run
	scripts/timed .build/debug/sgpos-fuzz replay Tests/Fuzz
	scripts/timed .build/debug/sgpos-fuzz mutate Tests/Fuzz 1000 1

# Benchmarks (release build); results go in benchmarks/RESULTS.md. make bench SCALE=1 also
# runs the scale benchmarks of bench-scale below (an hour or more on a 2-core machine).
SCALE ?=
bench: release
	@scripts/bootstrap bench
	.build/release/sgpos bench
	.build/release/sgpos bench --only reports
	.build/release/sgpos export bench --sales 1000000
	cd benchmarks/hash-backends && $(SWIFT) run -c release
	@if [ -n "$(SCALE)" ]; then $(MAKE) --no-print-directory bench-scale; fi

# The scale data set (issue 17): built once under .build/scale and reused; storage per sale,
# audit verify on all cores, on one and on two (with its memory; each the median of 3 rounds), store opening and proofs;
# then a fresh node catching up a chain of CATCH_UP_SALES sales from its peer, and resuming
# after kill -9; the lot report on a million lot-tracked sales (issue 18). make bench-scale SCALE_OUTLETS=20 SCALE_SALES=500000
SCALE_OUTLETS ?= 20
SCALE_SALES ?= 50000
CATCH_UP_SALES ?= 100000
bench-scale: release
	@scripts/bootstrap bench
	.build/release/sgpos bench scale --outlets $(SCALE_OUTLETS) --sales-per-outlet $(SCALE_SALES)
	.build/release/sgpos bench catch-up --chain-sales $(CATCH_UP_SALES)
	.build/release/sgpos bench lots --outlets 2 --sales-per-outlet 500000

# The consensus fault simulator over more seeds than make test runs: make sim SEEDS=100000 [FROM=1].
SEEDS ?= 10000
FROM ?= 1
sim: release
	.build/release/sgpos sim --seeds $(SEEDS) --from $(FROM)

# Hostile input against a real node process: 10,000 generated long/odd values per route
# (make test sends 1,000), about 4 minutes on the 2-core CI machine; then libFuzzer on
# each decoder and reader (scripts/fuzz: SECONDS_PER_TARGET, default 60, 9 targets).
HOSTILE ?= 10000
fuzz: build
	SGPOS_HOSTILE_REQUESTS=$(HOSTILE) $(SWIFT) test $(SWIFT_FLAGS) --filter HostileInputTests
	scripts/fuzz
	for seed in 1 2 3 4 5; do $$(scripts/python-venv scripts/pyverify/requirements.txt)/bin/python scripts/pyverify/rules_fuzz.py --seed $$seed --cases 1000 --sgpos .build/debug/sgpos || exit 1; done

clean:
	rm -rf .build $(DEMO_DIR)
