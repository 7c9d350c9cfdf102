"""Type checker and static cost bound (docs/CONTRACTS.md §3.1, §3.2, §5; codes 2, 3, 4).

``check(rule)`` runs after parsing: the language (4), the counter declarations (2), then
every statement in order (2), annotating each expression node with its type
(``node.ty``); it returns the static cost bound — every list at its maximum length,
``when`` at its dearer branch, ``and``/``or`` with both operands — and refuses a bound
over 200,000 ticks (3). Codes 3 and 4 and the counter declaration errors carry no
position; every other type error is reported at the position the document names.
"""

from . import syntax as S
from . import types as T
from .errors import TYPE, STATIC_COST, LANGUAGE, ContractError
from .cost import (LITERAL, ENUM_CASE, NAME, FIELD, UNARY, ADD_INT, ADD_MONEY, MUL, COMPARE, LOGIC, LET, REQUIRE,
                   EMIT, INCREMENT, FUNCTION_COST, BASE, sort_comparisons)

EFFECTS = {
    "line_discount": [("line", T.INT), ("amount", T.MONEY), ("code", T.STRING)],
    "basket_discount": [("amount", T.MONEY), ("code", T.STRING)],
    "award_points": [("points", T.INT), ("reason", T.STRING)],
    "redeem_points": [("points", T.INT), ("reason", T.STRING)],
    "set_tier": [("tier", T.TIER)],
}
EQUATABLE = (T.INT, T.MONEY, T.BOOL, T.STRING, T.TIER)
ORDERED = (T.INT, T.MONEY, T.TIER)
NUMERIC = (T.INT, T.MONEY)
INPUT_NAMES = ("basket", "customer", "ctx")


def type_error(pos, message):
    raise ContractError(TYPE, pos[0], pos[1], message)


class Checker:
    def __init__(self, rule):
        self.rule = rule
        root = dict(T.BUILTIN_NAMES)
        for name, _, _ in rule.counters:
            root[name] = T.COUNTER
        self.scopes = [root]
        self.declared = {name for name, _, _ in rule.counters}
        self.codes = []

    def lookup(self, name):
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def bind(self, name, ty, pos):
        """`let`/`const`: the name must not be visible at all (no shadowing)."""
        if self.lookup(name) is not None:
            type_error(pos, f"{name} is already defined (no shadowing)")
        self.scopes[-1][name] = ty

    # -- statements ------------------------------------------------------------------
    def statements(self, body):
        self.scopes.append({})
        try:
            return sum(self.statement(st) for st in body)
        finally:
            self.scopes.pop()

    def statement(self, st):
        if isinstance(st, S.Let):
            ty, cost = self.expr(st.value)
            self.bind(st.name, ty, st.pos)
            return cost + LET
        if isinstance(st, S.Require):
            ty, cost = self.expr(st.cond)
            if ty != T.BOOL:
                type_error(st.pos, f"require needs a Bool, got {ty}")
            return cost + REQUIRE
        if isinstance(st, S.When):
            ty, cost = self.expr(st.cond)
            if ty != T.BOOL:
                type_error(st.pos, f"when needs a Bool, got {ty}")
            then = self.statements(st.then)
            otherwise = self.statements(st.otherwise)
            return cost + max(then, otherwise)
        if isinstance(st, S.For):
            ty, cost = self.expr(st.items)
            if not T.is_list(ty):
                type_error(st.pos, f"for needs a list, got {ty}")
            self.scopes.append({st.name: ty.element})      # may shadow (only let/const may not)
            try:
                body = self.statements(st.body)
            finally:
                self.scopes.pop()
            return cost + BASE["for"] + ty.max * (body + 1)
        if isinstance(st, S.Emit):
            return self.emit(st)
        raise AssertionError(st)

    def emit(self, st):
        args = st.args
        if st.effect == "increment":
            first = args[0].value if len(args) == 2 else None
            if not (isinstance(first, S.Name) and self.lookup(first.name) == T.COUNTER
                    and first.name in self.declared):
                type_error(st.pos, "increment(counter, by: Int) needs a declared state or budget counter by its own name")
            ty, cost = self.expr(args[1].value)
            if ty != T.INT or args[1].label not in (None, "by"):
                type_error(st.pos, "increment's by: must be an Int")
            return cost + INCREMENT
        params = EFFECTS.get(st.effect)
        if params is None:
            type_error(st.pos, f"unknown effect {st.effect}")
        if len(args) != len(params):
            type_error(st.pos, f"{st.effect} takes {len(params)} arguments")
        cost = EMIT
        for arg, (label, want) in zip(args, params):
            if arg.label is not None and arg.label != label:
                type_error(st.pos, f"{st.effect}: expected argument {label}:")
            ty, c = self.expr(arg.value)
            if ty != want:
                type_error(arg.value.pos, f"{st.effect} {label}: expected {want}, got {ty}")
            cost += c
        return cost

    # -- expressions -------------------------------------------------------------------
    def expr(self, e):
        ty, cost = self._expr(e)
        e.ty = ty
        return ty, cost

    def _expr(self, e):
        if isinstance(e, S.IntLit):
            return T.INT, LITERAL
        if isinstance(e, S.MoneyLit):
            return T.MONEY, LITERAL
        if isinstance(e, S.StringLit):
            return T.STRING, LITERAL
        if isinstance(e, S.BoolLit):
            return T.BOOL, LITERAL
        if isinstance(e, S.EnumLit):
            if e.name in T.TIERS:
                return T.TIER, ENUM_CASE
            if e.name in T.ROUNDINGS:
                return T.ROUNDING, ENUM_CASE
            type_error(e.pos, f"unknown enum case .{e.name}")
        if isinstance(e, S.Name):
            ty = self.lookup(e.name)
            if ty is None:
                type_error(e.pos, f"{e.name} is not defined")
            return ty, NAME
        if isinstance(e, S.Field):
            ty, cost = self.expr(e.target)
            ft = T.field_type(ty, e.name)
            if ft is None:
                type_error(e.pos, f"{ty} has no field {e.name}")
            return ft, cost + FIELD
        if isinstance(e, S.Unary):
            return self.unary(e)
        if isinstance(e, S.Binary):
            return self.binary(e)
        if isinstance(e, S.Call):
            return self.call(e)
        if isinstance(e, S.Method):
            return self.method(e)
        raise AssertionError(e)

    def unary(self, e):
        # A chain of prefix operators is walked without recursion (a source may hold thousands).
        chain = []
        while isinstance(e, S.Unary):
            chain.append(e)
            e = e.operand
        ty, cost = self.expr(e)
        for u in reversed(chain):
            if u.op == "not" and ty != T.BOOL:
                type_error(u.pos, "not needs a Bool")
            if u.op == "-" and ty not in NUMERIC:
                type_error(u.pos, "unary - needs Int or Money")
            cost += UNARY
            u.ty = ty
        return ty, cost

    def binary(self, e):
        lt, lc = self.expr(e.left)
        rt, rc = self.expr(e.right)
        cost = lc + rc
        op = e.op
        if op in ("and", "or"):
            if lt != T.BOOL or rt != T.BOOL:
                type_error(e.pos, f"{op} needs Bools")
            return T.BOOL, cost + LOGIC
        if op in ("+", "-"):
            if lt != rt or lt not in NUMERIC:
                type_error(e.pos, f"{op} needs two Ints or two Money values, got {lt} and {rt}")
            return lt, cost + (ADD_MONEY if lt == T.MONEY else ADD_INT)
        if op == "*":
            if lt == T.INT and rt == T.INT:
                return T.INT, cost + MUL
            if (lt, rt) in ((T.MONEY, T.INT), (T.INT, T.MONEY)):
                return T.MONEY, cost + MUL
            type_error(e.pos, "* multiplies Ints, or Money by an Int")
        if op in ("==", "!="):
            if lt != rt or lt not in EQUATABLE:
                type_error(e.pos, f"{op} compares two values of one scalar type, got {lt} and {rt}")
            return T.BOOL, cost + COMPARE
        if lt != rt or lt not in ORDERED:
            type_error(e.pos, f"{op} orders Ints, Money or Tiers, got {lt} and {rt}")
        return T.BOOL, cost + COMPARE

    def call(self, e):
        if e.name == "has_code":
            # §3.2: the code is a string literal of 1-32 printable ASCII bytes without spaces,
            # checked before its argument is, so a chain knows every code its rules read.
            arg = e.args[0] if len(e.args) == 1 else None
            if (arg is None or arg.param is not None or not isinstance(arg.value, S.StringLit)
                    or not is_code(arg.value.value)):
                type_error(e.pos, "has_code takes one promotion code as a string literal of 1-32 printable ASCII characters")
            _, cost = self.expr(arg.value)
            if arg.value.value not in self.codes:
                self.codes.append(arg.value.value)
            return T.BOOL, cost + FUNCTION_COST["has_code"]
        types, cost = [], 0
        for arg in e.args:
            if arg.param is not None:
                type_error(e.pos, f"{e.name} takes no functions")
            ty, c = self.expr(arg.value)
            types.append(ty)
            cost += c
        name, n = e.name, len(types)
        first = types[0] if types else None
        ok = {
            "div": n == 3 and first in NUMERIC and types[1:] == [T.INT, T.ROUNDING],
            "scale": n == 3 and first in NUMERIC and types[1:] == [T.INT, T.ROUNDING],
            "min": n == 2 and types[0] == types[1] and first in (T.INT, T.MONEY, T.TIER),
            "max": n == 2 and types[0] == types[1] and first in (T.INT, T.MONEY, T.TIER),
            "cents": types == [T.MONEY],
            "money": types == [T.INT],
            "tier_for": types == [T.MONEY],
            "point_rate": types == [T.STRING],
        }.get(name, False)
        if not ok:
            type_error(e.pos, f"no function {name}({', '.join(map(str, types))})")
        result = {"cents": T.INT, "money": T.MONEY, "tier_for": T.TIER, "point_rate": T.INT}.get(name, first)
        return result, cost + FUNCTION_COST[name]

    def method(self, e):
        lt, base = self.expr(e.target)
        if not T.is_list(lt):
            type_error(e.pos, f"{e.name}() is a list method; {lt} is not a list")
        n, el, name = lt.max, lt.element, e.name

        def function(wanted):
            if len(e.args) != 1 or e.args[0].param is None:
                type_error(e.pos, f"{name} takes one x => … argument")
            arg = e.args[0]
            self.scopes.append({arg.param: el})              # may shadow
            try:
                ty, cost = self.expr(arg.value)
            finally:
                self.scopes.pop()
            if ty not in wanted:
                type_error(e.pos, f"{name}'s function must give {' or '.join(wanted)}, not {ty}")
            return ty, cost

        if name in ("filter", "any", "all"):
            _, body = function((T.BOOL,))
            return (lt if name == "filter" else T.BOOL), base + BASE[name] + n * (body + 1)
        if name == "sum":
            ty, body = function((T.INT, T.MONEY))
            return ty, base + BASE[name] + n * (body + 1)
        if name == "count":
            if e.args:
                type_error(e.pos, "count() takes no arguments")
            return T.INT, base + BASE[name]
        if name == "sort_by":
            _, key = function((T.INT, T.MONEY))
            return lt, base + BASE[name] + n * key + sort_comparisons(n)
        if name in ("take", "drop", "every"):
            if len(e.args) != 1 or e.args[0].param is not None:
                type_error(e.pos, f"{name}(n) takes one Int")
            ty, k = self.expr(e.args[0].value)
            if ty != T.INT:
                type_error(e.pos, f"{name}(n) takes an Int")
            return lt, base + k + BASE[name] + n
        if name == "expand":
            if el != T.LINE:
                type_error(e.pos, "expand works on basket lines")
            _, body = function((T.INT,))
            return T.ListType(T.UNIT, T.UNITS_MAX), base + BASE[name] + T.UNITS_MAX + n * body
        type_error(e.pos, f"unknown list method {name}")


def is_code(text):
    """A promotion code: 1-32 bytes, each printable ASCII other than the space."""
    data = text.encode()
    return 1 <= len(data) <= 32 and all(0x21 <= b <= 0x7E for b in data)


def codes(rule):
    """The promotion codes a checked rule reads (``has_code``), in the order first met."""
    checker = Checker(rule)
    checker.statements(rule.body)
    return list(checker.codes)


def check(rule):
    """Checks ``rule``; returns its static cost bound (codes 4, 2, 3 as the document says)."""
    if rule.language != 1:
        raise ContractError(LANGUAGE, 0, 0, f"language {rule.language} is not supported; this ledger runs language 1")
    seen = set()
    for name, cap, _ in rule.counters:
        if name in seen or cap <= 0:
            raise ContractError(TYPE, 0, 0, f"counter {name} is declared twice or has a maximum below 1")
        seen.add(name)
        if name in INPUT_NAMES:
            raise ContractError(TYPE, 0, 0, f"counter {name} would hide the input of that name; choose another name")
    cost = Checker(rule).statements(rule.body)
    if cost > T.COST_MAX:
        raise ContractError(STATIC_COST, 0, 0, f"static cost bound {cost} exceeds {T.COST_MAX} ticks")
    return cost
