"""The cost table (docs/CONTRACTS.md §5), shared by the static bound and the meter.

Ticks: a literal, a name, a field 1; an enum case (``.gold``, ``.floor``) 0; unary ``-``
and ``not`` 1; ``+ -`` 1, or 2 on Money; ``*`` 3; comparisons, ``and``, ``or`` 1;
``div``/``scale`` 3; ``min``/``max``/``cents``/``money`` 1; ``tier_for``/``point_rate`` 2;
``let``/``const``/``require`` 1; ``emit`` 10, ``increment`` 30 (the counter name free);
list methods as in ``list_method_base`` and the per-element parts in the checker and
the interpreter.
"""

LITERAL = NAME = FIELD = 1
ENUM_CASE = 0
UNARY = 1
ADD_INT, ADD_MONEY = 1, 2
MUL = 3
COMPARE = LOGIC = 1
LET = REQUIRE = 1
EMIT = 10
INCREMENT = 30

FUNCTION_COST = {"div": 3, "scale": 3, "tier_for": 2, "point_rate": 2, "has_code": 2,
                 "min": 1, "max": 1, "cents": 1, "money": 1}

# The fixed part of each list method and of `for`.
BASE = {"filter": 2, "any": 2, "all": 2, "sum": 2, "count": 1, "take": 1, "drop": 1, "every": 1, "expand": 2, "sort_by": 4, "for": 2}


def ceil_log2(n):
    """⌈log₂ n⌉, 0 for n ≤ 1."""
    return 0 if n <= 1 else (n - 1).bit_length()


def sort_comparisons(n):
    """sort_by's 2·n·⌈log₂ n⌉ (by formula, not by comparisons made)."""
    return 2 * n * ceil_log2(n)
