#!/usr/bin/env python3
"""Differential fuzzing of the rules language (issue 21): random programs and baskets from
a seed, their expected outcomes from the Python implementation (scripts/pyverify/rules),
written as conformance-style cases (docs/CONTRACTS.md §8) for the Swift side to run.

  rules_fuzz.py --seed N [--cases K] [--out FILE]        write K cases (deterministic per seed)
  rules_fuzz.py --seed N --cases K --sgpos PATH          also run each case through
                                                         `sgpos contract check/run` and
                                                         report every disagreement (exit 1)

Most programs are well typed and within the cost bound (they run); some are mutated
(a token dropped, doubled or swapped, a character inserted) so that parse and type
errors and their positions are compared too; a few cases are rule sets. Every case
carries, beyond §8's fields, what the Swift runner may check as well: `staticCost` of a
compiled program, `cost` and `position` ([line, column]) of an evaluation error,
`position` of a deploy error, and for a rule set each rule's `outcomes`.

`--sgpos` compares through the CLI (`sgpos contract check` for the bound and deploy
errors, `sgpos contract run` for the rest), whose basket has no non-member with a member
record: with `--sgpos` the baskets keep to what it can express (a case it cannot express
would be skipped and counted); personal multipliers and points rates go through. Costs,
error codes and positions, effects, a set's per-rule outcomes are all compared.
Run times: about 0.07 s a case with `--sgpos` (two processes), 2 ms without.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rules import ContractError, compile_rule, evaluate, evaluate_set, stopped_by  # noqa: E402
from rules_conformance import case_input, effect_json  # noqa: E402

INT, MONEY, BOOL, STRING, TIER, LINES, UNITS = "Int", "Money", "Bool", "String", "Tier", "List<Line>", "List<Unit>"
CATEGORIES = ["snacks", "dairy", "electronics", "rewards", "toys"]
SKUS = ["CHIPS", "NUTS", "MILK", "TV", "RW-TOTE", "LEGO"]
CODES = ["WELCOME2", "XMAS10"]           # promotion codes (has_code)
CAMPAIGNS = ["NEXT3", "SPRING"]         # coupon campaigns (coupon / issues headers)
TIERS = ["bronze", "silver", "gold", "platinum", "diamond"]
ROUNDINGS = ["floor", "ceil", "trunc", "half_up", "half_even"]
I64_MAX = 2**63 - 1
EFFECT_CODES = ["A", "B", "PROMO", "x"]


class Gen:
    """A random, well-typed rule (a source text) from one ``random.Random``."""

    def __init__(self, rng, rule_id="t", counters=True):
        self.r = rng
        self.rule_id = rule_id
        self.scopes = [[]]           # [(name, type)]
        self.fresh = 0
        self.counters = []
        self.loop_depth = 0
        self.use_counters = counters

    # -- names --------------------------------------------------------------------
    def visible(self, ty):
        return [n for scope in self.scopes for n, t in scope if t == ty]

    def new_name(self, prefix="v"):
        self.fresh += 1
        return f"{prefix}{self.fresh}"

    def chance(self, p):
        return self.r.random() < p

    # -- expressions ----------------------------------------------------------------
    def int_literal(self):
        r = self.r.random()
        if r < 0.6:
            return str(self.r.choice([0, 1, 2, 3, 5, 7, 10, 100]))
        if r < 0.75:
            return f"{self.r.choice([1, 5, 10, 12.5, 50, 100, 120, 150])}%"
        if r < 0.9:
            return str(self.r.randint(0, 100_000))
        return self.r.choice(["4611686018427387903", "9223372036854775807", "3037000500", "1_000_000"])

    def money_literal(self):
        cents = self.r.choice([0, 1, 50, 99, 100, 300, 500, 1000, 3000, 10000, self.r.randint(0, 20000)])
        if cents % 100 == 0 and self.chance(0.3):
            return f"S${cents // 100}"
        return f"S${cents // 100}.{cents % 100:02d}"

    def expr(self, ty, d):
        """An expression of type ``ty``; ``d`` bounds its depth."""
        leaf = d <= 0 or self.chance(0.3)
        options = getattr(self, "e_" + {LINES: "lines", UNITS: "units"}.get(ty, ty.lower()))(leaf, d - 1)
        return self.r.choice(options)()

    def paren(self, text):
        return f"({text})"

    def e_int(self, leaf, d):
        r, x = self.r, self.expr
        opts = [self.int_literal] * 3
        names = self.visible(INT)
        if names:
            opts += [lambda: r.choice(names)] * 3
        for line in self.visible("Line"):
            opts.append(lambda line=line: f"{line}.{r.choice(['qty', 'index', 'gst_rate'])}")
        for unit in self.visible("Unit"):
            opts.append(lambda unit=unit: f"{unit}.line")
        opts += [lambda: r.choice(["customer.points", "customer.multiplier", "basket.units", "ctx.outlet"])]
        for c in self.counters:
            opts.append(lambda c=c: f"{c}.{r.choice(['used', 'max', 'left'])}")
        if leaf:
            return opts
        return opts + [
            lambda: f"{self.paren(x(INT, d))} {r.choice(['+', '-', '*'])} {self.paren(x(INT, d))}",
            lambda: f"-{self.paren(x(INT, d))}",
            lambda: f"div({x(INT, d)}, {x(INT, d)}, {self.mode()})",
            lambda: f"scale({x(INT, d)}, {x(INT, d)}, {self.mode()})",
            lambda: f"{r.choice(['min', 'max'])}({x(INT, d)}, {x(INT, d)})",
            lambda: f"cents({x(MONEY, d)})",
            lambda: f"point_rate({x(STRING, d)})",
            lambda: f"{x(r.choice([LINES, UNITS]), d)}.count()",
            lambda: self.lambda_method(r.choice([LINES, UNITS]), "sum", INT, d),
        ]

    def e_money(self, leaf, d):
        r, x = self.r, self.expr
        opts = [self.money_literal] * 3
        names = self.visible(MONEY)
        if names:
            opts += [lambda: r.choice(names)] * 3
        for line in self.visible("Line"):
            opts.append(lambda line=line: f"{line}.{r.choice(['net', 'unit_price', 'net_with_gst'])}")
        for unit in self.visible("Unit"):
            opts.append(lambda unit=unit: f"{unit}.price")
        opts += [lambda: r.choice(["basket.subtotal", "customer.lifetime_spend"])]
        if leaf:
            return opts
        return opts + [
            lambda: f"{self.paren(x(MONEY, d))} {r.choice(['+', '-'])} {self.paren(x(MONEY, d))}",
            lambda: f"{self.paren(x(MONEY, d))} * {self.paren(x(INT, d))}",
            lambda: f"{self.paren(x(INT, d))} * {self.paren(x(MONEY, d))}",
            lambda: f"-{self.paren(x(MONEY, d))}",
            lambda: f"div({x(MONEY, d)}, {x(INT, d)}, {self.mode()})",
            lambda: f"scale({x(MONEY, d)}, {x(INT, d)}, {self.mode()})",
            lambda: f"{r.choice(['min', 'max'])}({x(MONEY, d)}, {x(MONEY, d)})",
            lambda: f"money({x(INT, d)})",
            lambda: self.lambda_method(r.choice([LINES, UNITS]), "sum", MONEY, d),
        ]

    def e_bool(self, leaf, d):
        r, x = self.r, self.expr
        opts = [lambda: r.choice(["true", "false"]), lambda: "customer.is_member",
                lambda: f'has_code("{r.choice(CODES)}")']
        for line in self.visible("Line"):
            opts.append(lambda line=line: f"{line}.includes_gst")
        names = self.visible(BOOL)
        if names:
            opts.append(lambda: r.choice(names))
        if leaf:
            return opts
        cmp = lambda ty: lambda: f"{x(ty, d)} {r.choice(['==', '!=', '<', '<=', '>', '>='])} {x(ty, d)}"
        eq = lambda ty: lambda: f"{self.paren(x(ty, d))} {r.choice(['==', '!='])} {self.paren(x(ty, d))}"
        return opts + [cmp(INT), cmp(INT), cmp(MONEY), cmp(MONEY), cmp(TIER), eq(STRING), eq(STRING), eq(BOOL),
                       lambda: f"{self.paren(x(BOOL, d))} {r.choice(['and', 'or'])} {self.paren(x(BOOL, d))}",
                       lambda: f"not {self.paren(x(BOOL, d))}",
                       lambda: self.lambda_method(r.choice([LINES, UNITS]), r.choice(["any", "all"]), BOOL, d)]

    def e_string(self, leaf, d):
        r = self.r
        opts = [lambda: '"' + r.choice(CATEGORIES + SKUS + ["", "é"]) + '"', lambda: "customer.id"]
        for line in self.visible("Line"):
            opts += [lambda line=line: f"{line}.{r.choice(['sku', 'category', 'tax'])}"] * 2
        names = self.visible(STRING)
        if names:
            opts.append(lambda: r.choice(names))
        return opts

    def mode(self):
        names = self.visible("Rounding")
        if names and self.chance(0.4):
            return self.r.choice(names)
        return "." + self.r.choice(ROUNDINGS)

    def e_rounding(self, leaf, d):
        return [self.mode]

    def e_tier(self, leaf, d):
        r, x = self.r, self.expr
        opts = [lambda: "." + r.choice(TIERS), lambda: "customer.tier"]
        names = self.visible(TIER)
        if names:
            opts.append(lambda: r.choice(names))
        if leaf:
            return opts
        return opts + [lambda: f"tier_for({x(MONEY, d)})", lambda: f"{r.choice(['min', 'max'])}({x(TIER, d)}, {x(TIER, d)})"]

    def e_lines(self, leaf, d):
        r, x = self.r, self.expr
        opts = [lambda: "basket.lines"] * 3
        names = self.visible(LINES)
        if names:
            opts += [lambda: r.choice(names)] * 2
        if leaf:
            return opts
        return opts + [lambda: self.lambda_method(LINES, "filter", BOOL, d),
                       lambda: self.lambda_method(LINES, "sort_by", r.choice([INT, MONEY]), d),
                       lambda: f"{x(LINES, d)}.take({x(INT, d)})",
                       lambda: f"{x(LINES, d)}.{r.choice(['drop', 'every'])}({x(INT, d)})"]

    def e_units(self, leaf, d):
        r, x = self.r, self.expr
        expand = lambda: self.lambda_method(LINES, "expand", INT, d, body=lambda p: r.choice(
            [f"{p}.qty", f"{p}.qty", "1", f"div({p}.qty, 2, .ceil)", f"{p}.qty * 3"]))
        opts = [expand, expand]
        names = self.visible(UNITS)
        if names:
            opts += [lambda: r.choice(names)] * 2
        if leaf:
            return opts
        return opts + [lambda: self.lambda_method(UNITS, "filter", BOOL, d),
                       lambda: self.lambda_method(UNITS, "sort_by", r.choice([INT, MONEY]), d),
                       lambda: f"{x(UNITS, d)}.take({x(INT, d)})",
                       lambda: f"{x(UNITS, d)}.{r.choice(['drop', 'every'])}({x(INT, d)})"]

    def lambda_method(self, list_ty, method, body_ty, d, body=None):
        target = self.expr(list_ty, max(d - 1, 0))
        p = self.r.choice(["l", "u", "x", "it"]) if self.chance(0.7) else self.new_name("p")
        element = "Line" if list_ty == LINES else "Unit"
        self.scopes.append([(p, element)])
        text = body(p) if body else self.expr(body_ty, max(d - 1, 0))
        self.scopes.pop()
        return f"{target}.{method}({p} => {text})"

    # -- statements -------------------------------------------------------------------
    def block(self, n, d):
        self.scopes.append([])
        out = [self.statement(d) for _ in range(n)]
        self.scopes.pop()
        return out

    def statement(self, d):
        r = self.r
        kinds = ["let", "let", "require", "emit", "emit", "emit"]
        if d > 0:
            kinds.append("when")
            if self.loop_depth == 0 or (self.loop_depth == 1 and self.chance(0.3)):
                kinds.append("for")      # nested loops over 500 lines soon pass the cost bound
        kind = r.choice(kinds)
        if kind == "let":
            ty = r.choice([INT, INT, MONEY, MONEY, BOOL, STRING, TIER, "Rounding"]
                          + ([LINES, UNITS] if not self.loop_depth else []))
            name = self.new_name()
            text = f"{r.choice(['let', 'const'])} {name} = {self.expr(ty, 2)}"
            self.scopes[-1].append((name, ty))
            return text
        if kind == "require":
            otherwise = (("skip" if self.chance(0.5) else f'skip("{r.choice(["limit reached", "", "é"])}")')
                         if self.chance(0.6) else f"fail({r.randint(1000, 1010)})")
            return f"require {self.expr(BOOL, 2)} else {otherwise}"
        if kind == "when":
            text = f"when {self.expr(BOOL, 2)} {{ {' '.join(self.block(r.randint(0, 2), d - 1))} }}"
            if self.chance(0.5):
                text += f" else {{ {' '.join(self.block(r.randint(0, 2), d - 1))} }}"
            return text
        if kind == "for":
            ty = r.choice([LINES, LINES, UNITS])
            items = self.expr(ty, 1)
            if self.chance(0.5):
                items = f"{items}.{r.choice(['take', 'drop', 'every'])}({r.randint(-1, 3)})"
            name = self.new_name("e")
            self.loop_depth += 1
            self.scopes.append([(name, "Line" if ty == LINES else "Unit")])
            body = self.block(r.randint(1, 2), d - 1)
            self.scopes.pop()
            self.loop_depth -= 1
            return f"for {name} in {items} {{ {' '.join(body)} }}"
        return self.emit()

    def emit(self):
        text = self.effect()
        if self.chance(0.1):                      # labels, as the effect's parameters
            name, _, args = text.partition("(")
            params = {"emit line_discount": ["line", "amount", "code"], "emit basket_discount": ["amount", "code"],
                      "emit award_points": ["points", "reason"], "emit redeem_points": ["points", "reason"],
                      "emit set_tier": ["tier"]}.get(name)
            parts = split_arguments(args[:-1])
            if params and len(parts) == len(params):
                text = f"{name}({', '.join(f'{p}: {a}' for p, a in zip(params, parts))})"
        if self.chance(0.05):
            text = text[:-1] + ",)"
        return text

    def effect(self):
        r, x = self.r, self.expr
        lines, units = self.visible("Line"), self.visible("Unit")
        kind = r.choice(["line_discount", "line_discount", "basket_discount", "award_points", "award_points",
                         "redeem_points", "set_tier", "increment" if self.counters else "award_points"])
        code = '"' + r.choice(EFFECT_CODES) + '"'
        if kind == "line_discount":
            if lines and self.chance(0.8):
                line = r.choice(lines)
                amount = x(MONEY, 1)
                if self.chance(0.7):
                    amount = f"min({amount}, {line}.net)"
                return f"emit line_discount({line}.index, {amount}, {code})"
            if units and self.chance(0.8):
                unit = r.choice(units)
                return f"emit line_discount({unit}.line, {unit}.price, {code})"
            return f"emit line_discount({x(INT, 1)}, {x(MONEY, 1)}, {code})"
        if kind == "basket_discount":
            amount = x(MONEY, 1)
            if self.chance(0.7):
                amount = f"min({amount}, basket.subtotal)"
            return f"emit basket_discount({amount}, {code})"
        if kind in ("award_points", "redeem_points"):
            return f"emit {kind}({x(INT, 2)}, {code})"
        if kind == "set_tier":
            return f"emit set_tier({x(TIER, 1)})"
        by = r.choice(["1", "1", "2", x(INT, 1)])
        return f"emit increment({r.choice(self.counters)}, {by})"

    def rule(self, priority=None, group=None, statements=None):
        r = self.r
        headers = []
        if self.chance(0.9):
            headers.append("lang 1")
        headers.append(f"priority {priority if priority is not None else r.randint(0, 5)}")
        if group or self.chance(0.2):
            headers.append(f'group "{group or r.choice(["g", "multibuy"])}"')
        if self.chance(0.1):
            headers.append("stop")
        if self.chance(0.15):
            headers.append(f'coupon "{r.choice(CAMPAIGNS)}"')
        if self.chance(0.1):
            headers.append(f'issues "{r.choice(CAMPAIGNS)}" days {r.choice([1, 30, 3650])}')
        if self.chance(0.15):
            start, end = r.choice([("2026-01-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00"),
                                   ("2026-11-05T10:00:00+08:00", "2026-11-05T10:00:00.000Z"[:0] + "2026-11-06T00:00:00Z"),
                                   ("2020-01-01T00:00:00Z", "2026-11-05T10:00:00+08:00")])
            headers.append(f'window "{start}" ..< "{end}"')
        if self.use_counters:
            for kind in ("state", "budget"):
                if self.chance(0.3):
                    name = self.new_name("c")
                    self.counters.append(name)
                    headers.append(f"{kind} {name}: counter max {r.choice([1, 2, 5, 1000])}")
        body = [self.statement(2) for _ in range(statements or r.randint(1, 6))]
        sep = r.choice([" ", "\n  ", "\n\t"])
        comment = r.choice(["", "", "// a generated rule\n", "// é, a comment with UTF-8\n"])
        return f'{comment}rule "{self.rule_id}" version 1 {{{sep}' + sep.join(headers + body) + ("\n}" if "\n" in sep else " }")


def split_arguments(text):
    """Top-level comma-separated parts of ``text`` (no strings hold commas here)."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        depth += c in "(" and 1 or c in ")" and -1 or 0
        if c == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


# -- mutation: programs that do not parse or type-check ---------------------------------
TOKEN = re.compile(r'S\$[0-9_]+(?:\.[0-9]+)?|[0-9][0-9_]*(?:\.[0-9]+)?%?|"[^"\n]*"|[A-Za-z_][A-Za-z0-9_]*|\.\.<|=>|==|!=|<=|>=|//[^\n]*|\s+|.',
                   re.S)


def mutate(rng, source):
    tokens = TOKEN.findall(source)
    solid = [i for i, t in enumerate(tokens) if not t.isspace() and not t.startswith("//")]
    i = rng.choice(solid)
    how = rng.choice(["drop", "double", "swap", "insert", "retype", "number"])
    if how == "drop":
        tokens[i] = ""
    elif how == "double":
        tokens[i] = tokens[i] + " " + tokens[i]
    elif how == "swap":
        j = rng.choice(solid)
        tokens[i], tokens[j] = tokens[j], tokens[i]
    elif how == "insert":
        tokens[i] = rng.choice(["#", "[", "\\", "1.5", "S$1.5", "1.005%", '"', "let", "-", "(", ")", "{", "}",
                                "99999999999999999999", "lang 2", ".sideways", "S$", "é"]) + " " + tokens[i]
    elif how == "retype":
        tokens[i] = rng.choice(["S$1.00", "1", "true", '"a"', ".gold", ".floor", "basket.lines", "customer", "nope"])
    else:
        tokens[i] = rng.choice(["0", "-1", "9223372036854775807", "65536", "999"])
    return "".join(tokens)


# -- baskets ------------------------------------------------------------------------------
def basket(rng, cli):
    n = rng.choice([0, 1, 2, 3, 4, 5, 8])
    lines = []
    for _ in range(n):
        qty = rng.choice([1, 1, 2, 3, 5]) if rng.random() < 0.95 else rng.choice([100, 600, 1100])
        line = {"sku": rng.choice(SKUS), "category": rng.choice(CATEGORIES), "qty": qty,
                "unitPrice": rng.choice([0, 1, 99, 100, 199, 349, 1290, 12000, rng.randint(1, 50_000)])}
        if rng.random() < 0.3:
            line["tax"] = rng.choice(["SR", "ZR", "ES", "OS"])
        if rng.random() < 0.3:
            line["includesGst"] = rng.random() < 0.5
        lines.append(line)
    data = {"lines": lines, "time": rng.choice(["2026-11-05T10:00:00+08:00", "2025-12-31T23:59:59+08:00",
                                                "2027-01-01T00:00:00+08:00", "2026-06-01T12:30:00Z"])}
    if rng.random() < 0.3:
        data["gstRate"] = rng.choice([0, 700, 800, 900, 10_000])
    if rng.random() < 0.7:
        member = {"id": rng.choice(["M1", "M2", "é"]), "isMember": True if cli else rng.random() < 0.8,
                  "tier": rng.randint(1, 5), "lifetimeSpend": rng.choice([0, 99_999, 100_000, 499_000, 5_000_000]),
                  "points": rng.choice([0, 10, 800, 5000])}
        if rng.random() < 0.5:
            member["multiplier"] = rng.choice([0, 10_000, 12_345, 15_000])
        data["member"] = member
    if rng.random() < 0.4:
        data["pointRates"] = {c: rng.choice([0, 5000, 10_000, 20_000]) for c in rng.sample(CATEGORIES, 2)}
    if rng.random() < 0.4:
        data["codes"] = rng.sample(CODES, rng.randint(1, 2))
    if rng.random() < 0.4:
        data["coupons"] = [rng.choice(CAMPAIGNS) for _ in range(rng.randint(1, 3))]
    return data


def with_counters(rng, data, rules):
    counters = {}
    for rule_id, names in rules:
        values = {name: rng.choice([0, 0, 1, 2, 999]) for name in names if rng.random() < 0.5}
        if values:
            counters[rule_id] = values
    if counters:
        data["counters"] = counters
    return data


# -- cases --------------------------------------------------------------------------------
def position(error):
    return [error.line, error.column]


def single_case(rng, name, cli):
    gen = Gen(rng)
    source = gen.rule()
    if rng.random() < 0.2:
        source = mutate(rng, source)
    data = with_counters(rng, basket(rng, cli), [("t", gen.counters)])
    case = {"name": name, "program": source, "input": data}
    try:
        compiled = compile_rule(source)
    except ContractError as error:
        case["expect"] = {"deploy_error": error.code, "position": position(error)}
        return case
    inp = case_input(data)
    inp.counters = data.get("counters", {}).get(compiled.id, {})
    outcome = evaluate(compiled, inp)
    if outcome.status == "failed":
        case["expect"] = {"eval_error": outcome.error.code, "position": position(outcome.error), "cost": outcome.cost,
                          "staticCost": compiled.static_cost}
    else:
        case["expect"] = {"outcome": {"status": outcome.status, "effects": [effect_json(e) for e in outcome.effects],
                                      "cost": outcome.cost}, "staticCost": compiled.static_cost}
        if outcome.reason is not None:
            case["expect"]["outcome"]["reason"] = outcome.reason
    return case


def set_case(rng, name, cli):
    sources, counters = [], []
    ids = rng.sample(["a", "b", "c", "promo.x", "z"], rng.randint(2, 4))
    for rule_id in ids:
        gen = Gen(rng, rule_id=rule_id)
        sources.append(gen.rule(priority=rng.randint(0, 2), group="g" if rng.random() < 0.5 else None))
        counters.append((rule_id, gen.counters))
    data = with_counters(rng, basket(rng, cli), counters)
    try:
        compiled = [compile_rule(s) for s in sources]
    except ContractError:
        return None
    effects, outcomes = evaluate_set(compiled, case_input(data), data.get("counters", {}))
    described = []
    for rule_id, o in outcomes:
        entry = {"rule": rule_id, "status": o.status, "cost": o.cost}
        if o.reason is not None:
            entry["reason"] = o.reason
        if o.error:
            entry.update(eval_error=o.error.code, position=position(o.error))
        described.append(entry)
    result_set = {"effects": [dict(rule=rid, **effect_json(e)) for rid, e in effects]}
    stopped = stopped_by(compiled, outcomes)
    if stopped is not None:
        result_set["stoppedBy"] = stopped
    return {"name": name, "programs": sources, "input": data, "expect": {"set": result_set, "outcomes": described}}


def generate(seed, count, cli=False):
    rng = random.Random(seed)
    cases = []
    while len(cases) < count:
        name = f"fuzz_{seed}_{len(cases)}"
        case = set_case(rng, name, cli) if rng.random() < 0.1 else single_case(rng, name, cli)
        if case is not None:
            cases.append(case)
    return {"suite": "fuzz", "lang": 1,
            "description": f"Generated by scripts/pyverify/rules_fuzz.py --seed {seed} --cases {count}; "
                           "expected values from the Python implementation (scripts/pyverify/rules).",
            "cases": cases}


# -- the Swift side through the CLI -------------------------------------------------------
def cli_basket(data):
    b = {"at": data.get("time", "2026-11-05T10:00:00+08:00"),
         "lines": [dict({"sku": l["sku"], "category": l["category"], "qty": l["qty"],
                         "unitPrice": f"{l['unitPrice'] // 100}.{l['unitPrice'] % 100:02d}"},
                        **{k: l[k] for k in ("tax", "includesGst") if k in l}) for l in data["lines"]]}
    if "gstRate" in data:
        b["gstRate"] = data["gstRate"]
    if "member" in data:
        m = data["member"]
        b["member"] = {"id": m["id"], "tier": TIERS[m["tier"] - 1], "points": m["points"],
                       "lifetimeSpend": f"{m['lifetimeSpend'] // 100}.{m['lifetimeSpend'] % 100:02d}"}
        if "multiplier" in m:
            b["member"]["multiplier"] = m["multiplier"]
    if data.get("pointRates"):
        b["pointRates"] = data["pointRates"]
    for key in ("codes", "coupons"):
        if data.get(key):
            b[key] = data[key]
    if "counters" in data:
        b["counters"] = data["counters"]
    return b


def cli_representable(data):
    m = data.get("member")
    return not (m and not m["isMember"]) and all(1 <= l["qty"] <= 100_000 for l in data["lines"])


ERROR = re.compile(r"error (\d+)(?: at (\d+):(\d+))?: ")


def parse_error(text):
    m = ERROR.match(text or "")
    return (int(m.group(1)), [int(m.group(2) or 0), int(m.group(3) or 0)]) if m else None


def run_cli(args):
    """`subprocess.run` that waits out a binary being rebuilt (ETXTBSY) for up to a minute."""
    for attempt in range(60):
        try:
            return subprocess.run(args, capture_output=True, text=True)
        except OSError as error:
            if error.errno != 26 or attempt == 59:
                raise
            time.sleep(1)


def swift_case(sgpos, case, work):
    """The Swift side's view of ``case`` in the shape of its `expect`, or a CLI failure."""
    sources = case.get("programs") or [case["program"]]
    files = []
    for i, source in enumerate(sources):
        path = os.path.join(work, f"{i}.rules")
        with open(path, "w") as f:
            f.write(source)
        files.append(path)
    checked = run_cli([sgpos, "contract", "check"] + files)
    static = []
    for line in checked.stdout.splitlines():
        body = line.split(".rules: ", 1)[1]
        error = parse_error(body)
        if error:
            return {"deploy_error": error[0], "position": error[1]}
        static.append(int(re.search(r"static cost ≤ (\d+) ticks", body).group(1)))
    path = os.path.join(work, "basket.json")
    with open(path, "w") as f:
        json.dump(cli_basket(case["input"]), f)
    ran = run_cli([sgpos, "contract", "run"] + files + ["--basket", path])
    if ran.returncode != 0:
        return {"cli_failure": (ran.stderr or ran.stdout).strip().splitlines()[-1:] if ran.stderr else ran.returncode}
    report = json.loads(ran.stdout)
    effects = []
    for e in report["effects"]:
        kind = e["kind"]
        cents = lambda s: int(s.replace(".", "")) if s.lstrip("-").split(".")[-1].__len__() == 2 else int(s) * 100
        if kind == "line_discount":
            body = {"line": e["line"], "amount": cents(e["amount"]), "code": e["code"]}
        elif kind == "basket_discount":
            body = {"amount": cents(e["amount"]), "code": e["code"]}
        elif kind in ("award_points", "redeem_points"):
            body = {"points": e["points"], "reason": e["code"]}
        elif kind == "set_tier":
            body = {"tier": TIERS.index(e["tier"]) + 1}
        else:
            body = {"counter": e["counter"], "by": e["by"]}
        effects.append({"rule": e["rule"], kind: body})
    if "programs" in case:
        outcomes = []
        for r in report["rules"]:
            if r["status"] == "stopped":      # listed by the CLI, not run
                continue
            entry = {"rule": r["id"], "status": r["status"], "cost": r["cost"]}
            if r.get("reason") is not None:
                entry["reason"] = r["reason"]
            error = parse_error(r.get("error"))
            if error:
                entry.update(eval_error=error[0], position=error[1])
            outcomes.append(entry)
        result_set = {"effects": effects}
        if report.get("stoppedBy") is not None:
            result_set["stoppedBy"] = report["stoppedBy"]
        return {"set": result_set, "outcomes": outcomes}
    r = report["rules"][0]
    error = parse_error(r.get("error"))
    if error:
        return {"eval_error": error[0], "position": error[1], "cost": r["cost"], "staticCost": static[0]}
    outcome = {"status": r["status"], "effects": [{k: v for k, v in e.items() if k != "rule"} for e in effects], "cost": r["cost"]}
    if r.get("reason") is not None:
        outcome["reason"] = r["reason"]
    return {"outcome": outcome, "staticCost": static[0]}


def compare(sgpos, suite):
    agree = differ = skipped = 0
    work = tempfile.mkdtemp(prefix="rules-fuzz-")
    for case in suite["cases"]:
        if "deploy_error" not in case["expect"] and not cli_representable(case["input"]):
            skipped += 1
            continue
        theirs = swift_case(sgpos, case, work)
        mine = case["expect"]
        if "deploy_error" in mine or "deploy_error" in theirs:
            mine = {k: mine.get(k) for k in ("deploy_error", "position")}
        if theirs == mine:
            agree += 1
        else:
            differ += 1
            print(f"DISAGREE {case['name']}: python {json.dumps(mine)}\n  swift {json.dumps(theirs)}\n"
                  f"  program {json.dumps(case.get('program') or case.get('programs'))}\n  input {json.dumps(case['input'])}")
    return agree, differ, skipped


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--out", help="write the cases here (conformance JSON)")
    parser.add_argument("--sgpos", help="compare every case with this sgpos binary's `contract check/run`")
    args = parser.parse_args()
    started = time.monotonic()
    suite = generate(args.seed, args.cases, cli=bool(args.sgpos))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(suite, f, indent=1, ensure_ascii=False)
            f.write("\n")
    kinds = {}
    for case in suite["cases"]:
        e = case["expect"]
        kind = ("set" if "set" in e else "deploy_error " + str(e["deploy_error"]) if "deploy_error" in e
                else "eval_error " + str(e["eval_error"]) if "eval_error" in e else e["outcome"]["status"])
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"rules fuzz: seed {args.seed}, {len(suite['cases'])} cases: "
          + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
    if args.sgpos:
        agree, differ, skipped = compare(args.sgpos, suite)
        print(f"rules fuzz: {agree} agree with {args.sgpos}, {differ} differ, {skipped} not expressible in its basket "
              f"({time.monotonic() - started:.1f} s)")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
