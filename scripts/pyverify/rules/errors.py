"""Stable error codes of the rules language (docs/CONTRACTS.md §6).

A ``ContractError`` carries the code, the 1-based line and column it is reported at
(0:0 when it has none) and a message, like ``error 2 at 2:13: …``.
"""

PARSE = 1
TYPE = 2
STATIC_COST = 3
LANGUAGE = 4
CONSTANT = 5
OVERFLOW = 10
DIVISION_BY_ZERO = 11
DISCOUNT = 13
COUNTER_CAP = 14
COST_ASSERTION = 15
EXPANSION = 16
LINE_RANGE = 17
POINTS = 18


class ContractError(Exception):
    """A deploy-time or run-time error with its stable code and position (§6)."""

    def __init__(self, code, line=0, column=0, message=""):
        super().__init__(message)
        self.code = code
        self.line = line
        self.column = column
        self.message = message

    def position(self):
        return (self.line, self.column)

    def __str__(self):
        if self.line > 0:
            return f"error {self.code} at {self.line}:{self.column}: {self.message}"
        return f"error {self.code}: {self.message}"

    def __repr__(self):
        return f"ContractError({self})"
