"""Types of the rules language (docs/CONTRACTS.md §3.2) and the host's limits.

Scalars are the strings ``Int Money Bool String Tier Rounding Line Unit``; host records
are ``Basket Customer Context Counter``; a list is ``ListType(element, max)`` with its
static maximum length.
"""

from dataclasses import dataclass

INT, MONEY, BOOL, STRING, TIER, ROUNDING, LINE, UNIT = (
    "Int", "Money", "Bool", "String", "Tier", "Rounding", "Line", "Unit")
BASKET, CUSTOMER, CONTEXT, COUNTER = "Basket", "Customer", "Context", "Counter"

LINES_MAX = 500
UNITS_MAX = 1024
COST_MAX = 200_000
TIERS = ["bronze", "silver", "gold", "platinum", "diamond"]       # 1 … 5
ROUNDINGS = ["floor", "ceil", "trunc", "half_up", "half_even"]
# tier_for's seed thresholds (cents): S$0 / 1,000 / 5,000 / 20,000 / 50,000.
TIER_THRESHOLDS = [0, 100_000, 500_000, 2_000_000, 5_000_000]
DEFAULT_POINT_RATE = 10_000
DEFAULT_MULTIPLIER = 10_000


@dataclass(frozen=True)
class ListType:
    element: object
    max: int

    def __str__(self):
        return f"List<{self.element}> (≤ {self.max})"


def is_list(t):
    return isinstance(t, ListType)


# Fields of records and list elements (§3.2 "Inputs").
FIELDS = {
    BASKET: {"lines": ListType(LINE, LINES_MAX), "subtotal": MONEY, "units": INT},
    CUSTOMER: {"is_member": BOOL, "tier": TIER, "lifetime_spend": MONEY, "points": INT,
               "id": STRING, "multiplier": INT},
    CONTEXT: {"time": INT, "outlet": INT},
    COUNTER: {"used": INT, "max": INT, "left": INT},
    LINE: {"sku": STRING, "category": STRING, "qty": INT, "unit_price": MONEY, "net": MONEY,
           "index": INT, "tax": STRING, "gst_rate": INT, "includes_gst": BOOL, "net_with_gst": MONEY},
    UNIT: {"line": INT, "price": MONEY},
}

BUILTIN_NAMES = {"basket": BASKET, "customer": CUSTOMER, "ctx": CONTEXT}


def field_type(t, name):
    if isinstance(t, str) and t in FIELDS:
        return FIELDS[t].get(name)
    return None
