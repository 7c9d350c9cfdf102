"""The pass/fail tally every *_test.py of the Python verifier prints: `check(name, ok)` counts
a case and names it when it fails; `check.report()` prints 'N passed, M failed' and returns
the exit status (0 only when nothing failed)."""


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def __call__(self, name, ok):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAILED: {name}")

    def report(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 else 1
