"""Checked 64-bit arithmetic and named rounding (docs/CONTRACTS.md §1, §3.3).

Python integers are exact; every result is then checked against the signed 64-bit
range −2^63…2^63 − 1: outside it is error 10, never a wrap or a big integer. ``div``
divides by a nonzero divisor (else error 11) and rounds by its mode; ``scale(a, bps)`` is
``a × bps ÷ 10,000`` computed exactly (the product needs up to 128 bits) and rounded by
its mode, error 10 only if the rounded result is out of range.
"""

from .errors import OVERFLOW, DIVISION_BY_ZERO

I64_MIN, I64_MAX = -(2**63), 2**63 - 1


class ArithmeticFault(Exception):
    """An overflow (10) or a division by zero (11); the interpreter adds the position."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def checked(v):
    if v < I64_MIN or v > I64_MAX:
        raise ArithmeticFault(OVERFLOW, "arithmetic overflow")
    return v


def round_div(n, d, mode):
    """n / d rounded by ``mode`` (floor, ceil, trunc, half_up: ties away from zero,
    half_even: ties to the even quotient), exactly, for any integers, d ≠ 0."""
    if d == 0:
        raise ArithmeticFault(DIVISION_BY_ZERO, "division by zero")
    q, r = divmod(n, d)                       # floor quotient; r has d's sign
    if r == 0 or mode == "floor":
        return q
    if mode == "ceil":
        return q + 1
    negative = (n < 0) != (d < 0)             # the exact quotient is negative
    t = q + 1 if negative else q              # truncated toward zero
    if mode == "trunc":
        return t
    rem2 = 2 * abs(n - t * d)                 # twice the remainder of truncation
    if rem2 < abs(d):
        return t
    away = t - 1 if negative else t + 1
    if rem2 > abs(d) or mode == "half_up":
        return away
    return t if t % 2 == 0 else away          # half_even


def div(a, b, mode):
    return checked(round_div(a, b, mode))


def scale(a, bps, mode):
    return checked(round_div(a * bps, 10_000, mode))
