"""Metered evaluation of one rule (docs/CONTRACTS.md §3.3, §5, §6).

A run walks the checked tree and charges the §5 table as it goes: an expression's
operands first, then the operator; lists at their real length; ``when`` only the branch
taken; ``and``/``or`` short-circuit. Every operation is checked (``arith``) and effects
are checked against the rule's own earlier effects. The run ends ``applied`` (all its
effects), ``skipped`` (``require … else skip``) or ``failed`` (a run-time error or the
rule's ``fail(N)``) — the last two with no effects — and reports the ticks charged
until then. A rule outside its window is skipped at cost 0.

Values: Int and Money are Python ints, Money ones of the ``Money`` subclass (the run-time
Money tag of §5); Bool, String as such; a Tier 1…5; a rounding its name; a line its
index; a unit ``(line index, unit price)``; a list a Python list; a record the strings
``basket``/``customer``/``ctx`` or a ``Counter``.
"""

from dataclasses import dataclass, field
from typing import Optional

from . import syntax as S
from . import types as T
from . import arith
from .arith import ArithmeticFault
from .errors import (ContractError, OVERFLOW, DISCOUNT, COUNTER_CAP, COST_ASSERTION, EXPANSION,
                     LINE_RANGE, POINTS)
from .cost import (LITERAL, ENUM_CASE, NAME, FIELD, UNARY, ADD_INT, ADD_MONEY, MUL, COMPARE, LOGIC, LET, REQUIRE,
                   EMIT, INCREMENT, FUNCTION_COST, BASE, sort_comparisons)

EFFECTS_MAX = 1024


class Money(int):
    """An int carrying the run-time Money tag (§5)."""
    __slots__ = ()


def tag(money, v):
    return Money(v) if money else int(v)


def syntactically_money(e):
    """§5 (the Money tag): the tag of an empty ``sum`` from its function's syntax: a Money literal, a
    money field by name (net, unit_price, price, subtotal, lifetime_spend), ``money(…)``,
    ``div``/``scale``/``min``/``max`` whose first argument is such, or a binary operator
    with such an operand; anything else (a name, unary ``-``, …) is Int."""
    if isinstance(e, S.MoneyLit):
        return True
    if isinstance(e, S.Field):
        return e.name in ("net", "unit_price", "price", "subtotal", "lifetime_spend", "net_with_gst")
    if isinstance(e, S.Call):
        if e.name == "money":
            return True
        if e.name in ("div", "scale", "min", "max") and e.args:
            return syntactically_money(e.args[0].value)
        return False
    if isinstance(e, S.Binary):
        return syntactically_money(e.left) or syntactically_money(e.right)
    return False


# -- inputs and outcomes -----------------------------------------------------------------

@dataclass
class Line:
    sku: str
    category: str
    qty: int
    unit_price: int
    net: int
    tax: str = "SR"               # the tax category's code: SR, ZR, ES, OS
    includes_gst: bool = True     # the price list's includes-GST flag
    gst_rate: int = 900           # the rate in force (basis points); a line not SR bears 0

    def __post_init__(self):
        if self.tax != "SR":
            self.gst_rate = 0


@dataclass
class Customer:
    id: str = ""
    is_member: bool = False
    tier: int = 1
    lifetime_spend: int = 0
    points: int = 0
    multiplier: int = T.DEFAULT_MULTIPLIER


@dataclass
class Input:
    """What a rule reads (§3.2 "Inputs"); ``nets`` and ``basket_discount`` are set by a rule set."""
    lines: list
    customer: Customer = field(default_factory=Customer)
    time_ms: int = 0
    outlet: int = 1
    counters: dict = field(default_factory=dict)        # counter name → used
    basket_discount: int = 0
    point_rates: dict = field(default_factory=dict)
    codes: list = field(default_factory=list)            # promotion codes keyed in (has_code)
    coupons: list = field(default_factory=list)          # campaigns of the coupons keyed in, one per coupon
    nets: Optional[list] = None


@dataclass
class Outcome:
    status: str                  # applied | skipped | failed
    effects: list
    cost: int
    error: Optional[ContractError] = None
    reason: Optional[str] = None   # a skipped run's `skip("…")` reason


class Skip(Exception):
    def __init__(self, reason=None):
        super().__init__(reason)
        self.reason = reason


class Counter:
    """A declared counter as a value (its fields ``used``, ``max``, ``left``)."""

    def __init__(self, name, cap):
        self.name = name
        self.cap = cap


class Run:
    """One metered run of a checked rule."""

    def __init__(self, rule, inp, static_cost):
        self.rule = rule
        self.inp = inp
        self.static_cost = static_cost
        self.cost = 0
        self.effects = []
        self.scopes = [{"basket": "basket", "customer": "customer", "ctx": "ctx"}]
        # Counters by name; the first declaration of a name is the one (the checker
        # refuses a second).
        self.used = {}
        for name, cap, _ in rule.counters:
            if name not in self.used:
                self.scopes[0][name] = Counter(name, cap)
                self.used[name] = inp.counters.get(name, 0)
        # This run's view: nets and subtotal after its own effects so far (§3.2 "What a rule sees").
        self.net = list(inp.nets) if inp.nets is not None else [l.net for l in inp.lines]
        self.granted = 0
        self.redeemed = 0

    # -- metering and errors -----------------------------------------------------------
    def charge(self, ticks):
        self.cost += ticks
        if self.cost > self.static_cost:
            raise ContractError(COST_ASSERTION, 0, 0,
                                f"dynamic cost {self.cost} passed the static bound {self.static_cost}")

    @staticmethod
    def fail(code, pos, message):
        raise ContractError(code, pos[0], pos[1], message)

    def checked(self, pos, v, what):
        if v < arith.I64_MIN or v > arith.I64_MAX:
            self.fail(OVERFLOW, pos, f"{what} overflows 64 bits")
        return v

    def lookup(self, name):
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        raise AssertionError(f"checked: {name} is defined")

    @property
    def subtotal(self):
        return sum(self.net) - self.inp.basket_discount - self.granted

    # -- statements ------------------------------------------------------------------
    def block(self, statements):
        self.scopes.append({})
        try:
            for st in statements:
                self.statement(st)
        finally:
            self.scopes.pop()

    def statement(self, st):
        if isinstance(st, S.Let):
            v = self.expr(st.value)
            self.charge(LET)
            self.scopes[-1][st.name] = v
        elif isinstance(st, S.Require):
            holds = self.expr(st.cond)
            self.charge(REQUIRE)
            if not holds:
                if st.fail_code is None:
                    raise Skip(st.reason)
                self.fail(st.fail_code, st.pos, f"the rule failed with its code {st.fail_code}")
        elif isinstance(st, S.When):
            self.block(st.then if self.expr(st.cond) else st.otherwise)
        elif isinstance(st, S.For):
            items = self.expr(st.items)
            self.charge(BASE["for"])
            for item in items:
                self.charge(1)
                self.scopes.append({st.name: item})
                try:
                    self.block(st.body)
                finally:
                    self.scopes.pop()
        elif isinstance(st, S.Emit):
            self.emit(st)
        else:
            raise AssertionError(st)

    # -- effects ---------------------------------------------------------------------
    def append(self, effect, pos):
        if len(self.effects) >= EFFECTS_MAX:
            self.fail(COST_ASSERTION, pos, f"more than {EFFECTS_MAX} effects")
        self.effects.append(effect)

    def emit(self, st):
        name, pos = st.effect, st.pos
        if name == "increment":
            counter = st.args[0].value.name
            by = self.expr(st.args[1].value)
            self.charge(INCREMENT)
            cap = self.lookup_counter(counter).cap
            after = self.used[counter] + by
            if by <= 0 or after > arith.I64_MAX or after > cap:
                self.fail(COUNTER_CAP, pos, f"counter {counter} would reach {after}; its maximum is {cap}")
            self.used[counter] = after
            self.append(("increment", counter, int(by)), pos)
            return
        args = [self.expr(a.value) for a in st.args]
        self.charge(EMIT)
        if name == "line_discount":
            line, amount, code = args
            if not 0 <= line < len(self.net):
                self.fail(LINE_RANGE, pos, f"line {line} is not in the basket")
            if not 0 < amount <= self.net[line]:
                self.fail(DISCOUNT, pos, f"discount {amount} on line {line} must be above 0 and at most its net {self.net[line]}")
            self.net[line] -= amount
            self.append(("line_discount", int(line), int(amount), code), pos)
        elif name == "basket_discount":
            amount, code = args
            left = self.subtotal
            if not 0 < amount <= left:
                self.fail(DISCOUNT, pos, f"basket discount {amount} must be above 0 and at most the {left} left to pay")
            self.granted += amount
            self.append(("basket_discount", int(amount), code), pos)
        elif name == "award_points":
            points, reason = args
            if points < 0:
                self.fail(OVERFLOW, pos, "points must not be negative")
            if points > 0:
                self.append(("award_points", int(points), reason), pos)
        elif name == "redeem_points":
            points, reason = args
            total = self.redeemed + points
            if points <= 0 or total > arith.I64_MAX or total > self.inp.customer.points:
                self.fail(POINTS, pos, f"redeem_points {points} must be above 0 and within the member's points")
            self.redeemed = total
            self.append(("redeem_points", int(points), reason), pos)
        elif name == "set_tier":
            self.append(("set_tier", int(args[0])), pos)
        else:
            raise AssertionError(name)

    def lookup_counter(self, name):
        return self.scopes[0][name]

    # -- expressions -------------------------------------------------------------------
    def expr(self, e):
        if isinstance(e, S.IntLit):
            self.charge(LITERAL)
            return e.value
        if isinstance(e, S.MoneyLit):
            self.charge(LITERAL)
            return Money(e.value)
        if isinstance(e, (S.StringLit, S.BoolLit)):
            self.charge(LITERAL)
            return e.value
        if isinstance(e, S.EnumLit):
            self.charge(ENUM_CASE)
            return T.TIERS.index(e.name) + 1 if e.name in T.TIERS else e.name
        if isinstance(e, S.Name):
            self.charge(NAME)
            return self.lookup(e.name)
        if isinstance(e, S.Field):
            target = self.expr(e.target)
            self.charge(FIELD)
            return self.field(target, e)
        if isinstance(e, S.Unary):
            return self.unary(e)
        if isinstance(e, S.Binary):
            return self.binary(e)
        if isinstance(e, S.Call):
            return self.call(e)
        if isinstance(e, S.Method):
            return self.method(e)
        raise AssertionError(e)

    def field(self, target, e):
        name, inp = e.name, self.inp
        if isinstance(target, Counter):
            used = self.used[target.name]
            return {"used": used, "max": target.cap, "left": target.cap - used}[name]
        if target == "basket" and e.target.ty == T.BASKET:
            if name == "lines":
                return list(range(len(inp.lines)))
            if name == "subtotal":
                return Money(self.subtotal)
            return sum(l.qty for l in inp.lines)                 # units
        if target == "customer" and e.target.ty == T.CUSTOMER:
            c = inp.customer
            if name in ("lifetime_spend",):
                return Money(c.lifetime_spend)
            return {"is_member": c.is_member, "tier": c.tier, "points": c.points, "id": c.id,
                    "multiplier": c.multiplier}[name]
        if target == "ctx" and e.target.ty == T.CONTEXT:
            return inp.time_ms if name == "time" else inp.outlet
        if e.target.ty == T.LINE:
            line = inp.lines[target]
            if name == "net":
                return Money(self.net[target])
            if name == "unit_price":
                return Money(line.unit_price)
            if name == "net_with_gst":
                # §3.2: the net, plus halfup(net × rate / 10000) when the price excludes GST.
                net = self.net[target]
                if line.includes_gst or line.gst_rate == 0:
                    return Money(net)
                product = net * line.gst_rate
                gst = abs(product) // 10_000 + (1 if abs(product) % 10_000 * 2 >= 10_000 else 0)
                total = net + (gst if product >= 0 else -gst)
                if not arith.I64_MIN <= total <= arith.I64_MAX:
                    self.fail(OVERFLOW, e.pos, "net_with_gst overflows")
                return Money(total)
            return {"sku": line.sku, "category": line.category, "qty": line.qty, "index": target, "tax": line.tax,
                    "gst_rate": line.gst_rate, "includes_gst": line.includes_gst}[name]
        if e.target.ty == T.UNIT:
            return target[0] if name == "line" else Money(target[1])
        raise AssertionError((target, name))

    def unary(self, e):
        chain = []
        while isinstance(e, S.Unary):
            chain.append(e)
            e = e.operand
        v = self.expr(e)
        for u in reversed(chain):
            self.charge(UNARY)
            if u.op == "not":
                v = not v
            else:
                v = tag(isinstance(v, Money), self.checked(u.pos, -v, "negation"))
        return v

    def binary(self, e):
        op = e.op
        if op in ("and", "or"):
            left = self.expr(e.left)
            self.charge(LOGIC)
            if op == "and":
                return self.expr(e.right) if left else False
            return True if left else self.expr(e.right)
        a = self.expr(e.left)
        b = self.expr(e.right)
        if op in ("+", "-"):
            money = isinstance(a, Money)                       # the left operand's tag decides
            self.charge(ADD_MONEY if money else ADD_INT)
            return tag(money, self.checked(e.pos, a + b if op == "+" else a - b, op))
        if op == "*":
            self.charge(MUL)
            return tag(isinstance(a, Money) or isinstance(b, Money), self.checked(e.pos, a * b, "*"))
        self.charge(COMPARE)
        if isinstance(a, str):
            a, b = a.encode("utf-8"), b.encode("utf-8")
        return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]

    def call(self, e):
        args = [self.expr(a.value) for a in e.args]
        name = e.name
        self.charge(FUNCTION_COST[name])
        if name in ("div", "scale"):
            a, b, mode = args
            try:
                v = arith.div(a, b, mode) if name == "div" else arith.scale(a, b, mode)
            except ArithmeticFault as fault:
                self.fail(fault.code, e.pos, fault.message)
            return tag(isinstance(a, Money), v)
        if name in ("min", "max"):
            a, b = args
            return tag(isinstance(a, Money), min(a, b) if name == "min" else max(a, b))
        if name == "cents":
            return int(args[0])
        if name == "money":
            return Money(args[0])
        if name == "tier_for":
            reached = [i + 1 for i, threshold in enumerate(T.TIER_THRESHOLDS) if args[0] >= threshold]
            return reached[-1] if reached else 1
        if name == "point_rate":
            return self.inp.point_rates.get(args[0], T.DEFAULT_POINT_RATE)
        if name == "has_code":
            return args[0].encode() in [code.encode() for code in self.inp.codes]
        raise AssertionError(name)

    def apply(self, arg, item):
        self.scopes.append({arg.param: item})
        try:
            return self.expr(arg.value)
        finally:
            self.scopes.pop()

    def method(self, e):
        items = self.expr(e.target)
        name = e.name
        if name == "count":
            self.charge(BASE[name])
            return len(items)
        if name == "take":
            k = self.expr(e.args[0].value)
            kept = max(0, min(k, len(items)))
            self.charge(BASE[name] + kept)
            return items[:kept]
        if name == "drop":
            k = self.expr(e.args[0].value)
            rest = items[max(0, min(k, len(items))):]
            self.charge(BASE[name] + len(rest))
            return rest
        if name == "every":
            k = self.expr(e.args[0].value)
            kept = [] if k <= 0 else items[k - 1::k]
            self.charge(BASE[name] + len(kept))
            return kept
        arg = e.args[0]
        self.charge(BASE[name])
        if name == "filter":
            out = []
            for item in items:
                self.charge(1)
                if self.apply(arg, item):
                    out.append(item)
            return out
        if name in ("any", "all"):
            want = name == "any"
            for item in items:
                self.charge(1)
                if bool(self.apply(arg, item)) == want:
                    return want
            return not want
        if name == "sum":
            total, money = 0, False
            for item in items:
                self.charge(1)
                v = self.apply(arg, item)
                money = money or isinstance(v, Money)
                total = self.checked(e.pos, total + v, "sum")
            if not items:
                return tag(syntactically_money(arg.value), 0)
            return tag(money, total)
        if name == "sort_by":
            keyed = [(int(self.apply(arg, item)), position, item) for position, item in enumerate(items)]
            self.charge(sort_comparisons(len(items)))
            keyed.sort(key=lambda k: (k[0], k[1]))            # stable: ties keep input order
            return [item for _, _, item in keyed]
        if name == "expand":
            units = []
            for line in items:
                n = self.apply(arg, line)
                if n < 0 or len(units) + min(n, T.UNITS_MAX + 1) > T.UNITS_MAX:
                    self.fail(EXPANSION, e.pos, f"expand gives more than {T.UNITS_MAX} units")
                units.extend([(line, self.inp.lines[line].unit_price)] * n)
                self.charge(n)
            return units
        raise AssertionError(name)


def evaluate(compiled, inp):
    """Runs ``compiled`` (a ``CompiledRule``) on ``inp``; returns an ``Outcome``."""
    rule = compiled.rule
    if rule.window is not None and not (rule.window[0] <= inp.time_ms < rule.window[1]):
        return Outcome("skipped", [], 0)
    if rule.coupon is not None and rule.coupon.encode() not in [c.encode() for c in inp.coupons]:
        return Outcome("skipped", [], 0)
    run = Run(rule, inp, compiled.static_cost)
    try:
        run.block(rule.body)
    except Skip as skip:
        return Outcome("skipped", [], run.cost, reason=skip.reason)
    except ContractError as error:
        return Outcome("failed", [], run.cost, error)
    return Outcome("applied", run.effects, run.cost)
