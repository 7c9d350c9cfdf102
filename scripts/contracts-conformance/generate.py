#!/usr/bin/env python3
"""Writes the rules-language conformance suite (Tests/SGPOSContractsTests/Conformance/*.json).

Expected values come from Python's own integer arithmetic (an independent oracle), or
are written by hand; nothing is recorded from the Swift implementation.
Format: docs/CONTRACTS.md §8. Run: python3 scripts/contracts-conformance/generate.py
"""
import json
import os

OUT = os.path.join(os.path.dirname(__file__), "../../Tests/SGPOSContractsTests/Conformance")
I64_MAX, I64_MIN = 2 ** 63 - 1, -2 ** 63


def rnd(n, d, mode):
    """n/d rounded by mode, exact integers (the oracle)."""
    q, r = divmod(n, d)            # floor division
    if mode == "floor":
        return q
    if mode == "ceil":
        return q + (1 if r else 0)
    t = abs(n) // abs(d) * (1 if (n >= 0) == (d > 0) else -1)   # truncation
    if mode == "trunc":
        return t
    rem = abs(n) - abs(t) * abs(d)
    sign = 1 if (n >= 0) == (d > 0) else -1
    if mode == "half_up":
        return t + sign if 2 * rem >= abs(d) else t
    if 2 * rem > abs(d) or (2 * rem == abs(d) and t % 2 != 0):
        return t + sign
    return t


def lit(v):
    return f"({v})" if v >= 0 else f"(0 - {-v})"


def check(expr, expected):
    return f'rule "t" version 1 {{ lang 1 let x = {expr} require x == {lit(expected)} else fail(1001) }}'


def applied():
    return {"outcome": {"status": "applied", "effects": []}}


def write(name, description, cases):
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"suite": name, "lang": 1, "description": description, "cases": cases}, f, indent=1)
        f.write("\n")
    return len(cases)


BASKET = [{"sku": "CHIPS", "category": "snacks", "qty": 2, "unitPrice": 199},
          {"sku": "NUTS", "category": "snacks", "qty": 1, "unitPrice": 99},
          {"sku": "MILK", "category": "dairy", "qty": 1, "unitPrice": 349},
          {"sku": "TV", "category": "electronics", "qty": 1, "unitPrice": 12000}]
MEMBER = {"id": "M1", "isMember": True, "tier": 2, "lifetimeSpend": 499000, "points": 10}
TIME = "2026-11-05T10:00:00+08:00"

total = 0
cases = []
for mode in ["floor", "ceil", "trunc", "half_up", "half_even"]:
    for a in [-7, -5, -4, -3, -1, 0, 1, 3, 4, 5, 7, 10, 15, 25]:
        for b in [2, 3, 4, -2]:
            cases.append({"name": f"div_{a}_{b}_{mode}", "program": check(f"div({lit(a)}, {lit(b)}, .{mode})", rnd(a, b, mode)),
                          "expect": applied()})
total += write("rounding", "div(a, b, mode) for every rounding mode, signs and ties (oracle: Python integers).", cases)

cases = []
for mode in ["floor", "half_up", "half_even", "ceil"]:
    for a, bps in [(1999, 1000), (1234, 1250), (5, 5000), (15, 5000), (25, 5000), (-15, 5000), (100000, 1), (7, 3333),
                   (I64_MAX // 2, 20000), (999, 12000)]:
        cases.append({"name": f"scale_{a}_{bps}_{mode}", "program": check(f"scale({lit(a)}, {bps}, .{mode})", rnd(a * bps, 10000, mode)),
                      "expect": applied()})
total += write("scale", "scale(a, bps, mode) = a × bps / 10000 with a 128-bit intermediate.", cases)

cases = []
for name, expr in [("add_max", f"{I64_MAX} + 1"), ("sub_min", f"(0 - {I64_MAX}) - 2"), ("mul", f"{I64_MAX} * 2"),
                   ("mul_neg", f"(0 - 3037000500) * 3037000500"), ("neg_min", f"0 - ((0 - {I64_MAX}) - 1) "),
                   ("money_add", f"money({I64_MAX}) + S$0.01"), ("scale_big", f"scale({I64_MAX}, 20000, .floor)"),
                   ("sum_over", f"basket.lines.sum(l => {I64_MAX // 2})"), ("div_min", f"div((0 - {I64_MAX}) - 1, 0 - 1, .floor)"),
                   ("scale_rounds_past_max", "scale(9222449791875588249, 10001, .ceil)"),
                   ("scale_half_up_past_max", "scale(9222449791875588249, 10001, .half_up)"),
                   ("scale_floor_past_min", "scale((0 - 9222449791875588250), 10001, .floor)"),
                   ("points_negative", "0 - 5")]:
    if name == "points_negative":
        program = f'rule "t" version 1 {{ lang 1 emit award_points({expr}, "x") }}'
    else:
        program = f'rule "t" version 1 {{ lang 1 let x = {expr} }}'
    cases.append({"name": name, "program": program, "input": {"lines": BASKET}, "expect": {"eval_error": 10}})
# The truncated quotient at −2^63 is representable: error 10 only when the rounded result
# leaves the range (docs/CONTRACTS.md §3.3).
MIN_TEXT = f"((0 - {I64_MAX}) - 1)"   # −2^63: no literal spells it
cases.append({"name": "scale_min_exact", "expect": applied(),
              "program": f'rule "t" version 1 {{ lang 1 let x = scale({MIN_TEXT}, 10000, .trunc) require x == {MIN_TEXT} else fail(1001) }}'})
# −9222449791875588250 × 10001 / 10000 = −2^63 − 0.825: truncated and rounded up it is −2^63.
for mode in ["trunc", "ceil"]:
    cases.append({"name": f"scale_min_{mode}", "expect": applied(),
                  "program": f'rule "t" version 1 {{ lang 1 let x = scale((0 - 9222449791875588250), 10001, .{mode}) require x == {MIN_TEXT} else fail(1001) }}'})
for mode in ["floor", "ceil", "trunc", "half_up", "half_even"]:
    cases.append({"name": f"div_zero_{mode}", "program": f'rule "t" version 1 {{ lang 1 let x = div(5, 0, .{mode}) }}',
                  "expect": {"eval_error": 11}})
for a, b in [(3, 4), (I64_MAX, I64_MAX), (-2, 7), (0, 0)]:
    cases.append({"name": f"add_{a}_{b}", "program": check(f"{lit(a)} + {lit(b)}", a + b) if I64_MIN <= a + b <= I64_MAX else
                  f'rule "t" version 1 {{ lang 1 let x = {lit(a)} + {lit(b)} }}',
                  "expect": applied() if I64_MIN <= a + b <= I64_MAX else {"eval_error": 10}})
for a, b in [(3, 4), (-2, 7), (123456789, 1000), (0, -5)]:
    cases.append({"name": f"mul_{a}_{b}", "program": check(f"{lit(a)} * {lit(b)}", a * b), "expect": applied()})
total += write("arithmetic", "Checked Int64 arithmetic: overflow is error 10, never a wrap; division by zero is 11.", cases)

cases = []
for text, cents in [("S$0.00", 0), ("S$0.01", 1), ("S$12.34", 1234), ("S$1_000.00", 100000), ("S$7", 700)]:
    cases.append({"name": f"money_{cents}", "program": f'rule "t" version 1 {{ lang 1 require cents({text}) == {cents} else fail(1001) }}',
                  "expect": applied()})
for text, bps in [("12.5%", 1250), ("100%", 10000), ("0.01%", 1), ("7%", 700), ("250%", 25000)]:
    cases.append({"name": f"percent_{bps}", "program": f'rule "t" version 1 {{ lang 1 require {text} == {bps} else fail(1001) }}',
                  "expect": applied()})
for expr, value in [("1 < 2", True), ("2 <= 2", True), ("3 > 4", False), ("S$1.00 >= S$0.99", True), (".gold > .silver", True),
                    ("\"a\" == \"a\"", True), ("\"a\" != \"b\"", True), ("true and false", False), ("true or false", True),
                    ("not (1 == 1)", False), ("min(3, 9) == 3", True), ("max(S$1.00, S$2.00) == S$2.00", True),
                    ("tier_for(S$999.99) == .bronze", True), ("tier_for(S$1_000.00) == .silver", True),
                    ("tier_for(S$50_000.00) == .diamond", True), ("1 + 2 * 3 == 7", True), ("(1 + 2) * 3 == 9", True),
                    ("0 - 3 < 0", True), ("money(250) == S$2.50", True), ("false and (div(1, 0, .floor) == 0)", False)]:
    cases.append({"name": f"expr_{len(cases)}", "program": f'rule "t" version 1 {{ lang 1 require {expr} else skip }}',
                  "expect": {"outcome": {"status": "applied" if value else "skipped", "effects": []}}})
total += write("expressions", "Literals (money, percent), comparisons, short-circuit logic, built-ins, precedence.", cases)

parse_errors = ["", "rule", 'rule "t"', 'rule "t" version { }', 'rule "t" version 1 {', 'rule "t" version 1 { let }',
                'rule "t" version 1 { let x = }', 'rule "t" version 1 { let x = 1 + }', 'rule "t" version 1 { emit }',
                'rule "t" version 1 { require true }', 'rule "t" version 1 { require true else }', 'rule "t" version 1 { when true }',
                'rule "t" version 1 { for x in { } }', 'rule "t" version 1 { let x = 1.5 }', 'rule "t" version 1 { let x = S$1.5 }',
                'rule "t" version 1 { let x = "unterminated }', 'rule "t" version 1 { let x = 1 } extra',
                'rule "t" version 1 { let x = 1 # }', 'rule "" version 1 { }', 'rule "t" version 1 { require true else fail(5) }',
                'rule "t" version 1 { window "2026-01-01" ..< "2027-01-01" }', 'rule "t" version 1 { let x = 99999999999999999999 }',
                'rule "t" version 1 { let x = 1 lang 1 }', 'rule "t" version 1 { let let = 1 }', 'rule "t" version 1 { let x = 1.005% }',
                'rule "t" version 1 { let x = (((((1) }', 'rule "t" version 1 { emit award_points(1, "a", }']
cases = [{"name": f"parse_{i}", "program": p, "expect": {"deploy_error": 5 if "9999999999" in p else 1}} for i, p in enumerate(parse_errors)]
cases.append({"name": "deep_nesting", "program": 'rule "t" version 1 { let x = ' + "(" * 100 + "1" + ")" * 100 + " }",
              "expect": {"deploy_error": 1}})
cases.append({"name": "long_string", "program": 'rule "t" version 1 { let x = "' + "a" * 300 + '" }', "expect": {"deploy_error": 5}})
total += write("parse", "Sources that do not parse are refused at deploy with code 1 (5 for oversized constants).", cases)

type_errors = ['let x = 1 + S$1.00', 'let x = S$1.00 * S$1.00', 'require 1 else skip', 'when S$1.00 { }', 'let x = y',
               'let x = 1 let x = 2', 'let x = basket.nope', 'let x = customer.tier + 1', 'let x = "a" < "b"',
               'emit award_points(S$1.00, "x")', 'emit line_discount(0, 100, "x")', 'emit nope(1)', 'emit set_tier(3)',
               'let x = div(1, 2)', 'let x = div(S$1.00, S$2.00, .floor)', 'let x = div(1, 2, .sideways)', 'let x = 5.count()',
               'let x = basket.lines.filter(l => l.qty)', 'let x = basket.lines.sum(l => l.sku)', 'for x in 5 { }',
               'let x = basket.lines.take(S$1.00)', 'let x = not 1', 'let x = 0 - "a"', 'emit increment(nope, 1)',
               'let x = basket.lines.expand(l => l.sku)', 'let x = min(1, S$1.00)', 'let x = tier_for(5)', 'let x = true == 1']
cases = [{"name": f"type_{i}", "program": f'rule "t" version 1 {{ lang 1 {body} }}', "expect": {"deploy_error": 2}}
         for i, body in enumerate(type_errors)]
cases.append({"name": "unsupported_language", "program": 'rule "t" version 1 { lang 2 }', "expect": {"deploy_error": 4}})
cases.append({"name": "counter_twice", "program": 'rule "t" version 1 { state a: counter max 1 budget a: counter max 2 }',
              "expect": {"deploy_error": 2}})
cases.append({"name": "static_cost_limit", "program": 'rule "t" version 1 { lang 1 for a in basket.lines { for b in basket.lines { '
              'for c in basket.lines.take(2) { let x = 1 } } } }', "expect": {"deploy_error": 3}})
total += write("types", "Ill-typed programs are refused at deploy with code 2; unknown language 4; over the cost bound 3.", cases)

def basket_case(name, program, expect, lines=BASKET, member=None, time=TIME, counters=None, rates=None):
    case = {"name": name, "program": program, "input": {"lines": lines, "time": time}, "expect": expect}
    if rates:
        case["input"]["pointRates"] = rates
    if member:
        case["input"]["member"] = member
    if counters:
        case["input"]["counters"] = counters
    return case

B2G1 = open(os.path.join(os.path.dirname(__file__), "../../Contracts/snacks-b2g1.rules")).read()
cases = [
    basket_case("b2g1_cheapest_unit_free", B2G1, {"outcome": {"status": "applied", "effects": [
        {"line_discount": {"line": 1, "amount": 99, "code": "B2G1"}}]}}),
    basket_case("b2g1_two_units_nothing", B2G1, {"outcome": {"status": "skipped", "effects": []}}, lines=BASKET[:1]),
    basket_case("b2g1_six_units_two_cheapest", B2G1, {"outcome": {"status": "applied", "effects": [
        {"line_discount": {"line": 1, "amount": 99, "code": "B2G1"}}, {"line_discount": {"line": 1, "amount": 99, "code": "B2G1"}}]}},
        lines=[{"sku": "A", "category": "snacks", "qty": 4, "unitPrice": 150}, {"sku": "B", "category": "snacks", "qty": 2, "unitPrice": 99}]),
    basket_case("b2g1_ties_earlier_line", B2G1, {"outcome": {"status": "applied", "effects": [
        {"line_discount": {"line": 0, "amount": 100, "code": "B2G1"}}]}},
        lines=[{"sku": "A", "category": "snacks", "qty": 1, "unitPrice": 100}, {"sku": "B", "category": "snacks", "qty": 1, "unitPrice": 100},
               {"sku": "C", "category": "snacks", "qty": 1, "unitPrice": 100}]),
    basket_case("expand_limit", 'rule "t" version 1 { lang 1 let u = basket.lines.expand(l => l.qty) }', {"eval_error": 16},
                lines=[{"sku": "A", "category": "x", "qty": 2000, "unitPrice": 1}]),
    basket_case("discount_exceeds_line", 'rule "t" version 1 { lang 1 emit line_discount(2, S$3.50, "x") }', {"eval_error": 13}),
    basket_case("discount_line_out_of_range", 'rule "t" version 1 { lang 1 emit line_discount(9, S$0.01, "x") }', {"eval_error": 17}),
    basket_case("discount_twice_over_net", 'rule "t" version 1 { lang 1 emit line_discount(2, S$2.00, "x") emit line_discount(2, S$2.00, "y") }',
                {"eval_error": 13}),
    basket_case("fail_is_all_or_nothing", 'rule "t" version 1 { lang 1 emit award_points(5, "x") require false else fail(4242) }',
                {"eval_error": 4242}),
    basket_case("member_required_guest_skipped", open(os.path.join(os.path.dirname(__file__), "../../Contracts/points-per-dollar.rules")).read(),
                {"outcome": {"status": "skipped", "effects": []}}),
    basket_case("points_per_dollar_member", open(os.path.join(os.path.dirname(__file__), "../../Contracts/points-per-dollar.rules")).read(),
                {"outcome": {"status": "applied", "effects": [{"award_points": {"points": 2 * ((398 + 99 + 349 + 12000) // 100), "reason": "bonus-2x"}}]}},
                member=MEMBER),
    basket_case("window_before", open(os.path.join(os.path.dirname(__file__), "../../Contracts/points-per-dollar.rules")).read(),
                {"outcome": {"status": "skipped", "effects": [], "cost": 0}}, member=MEMBER, time="2025-12-31T23:59:59+08:00"),
    basket_case("window_start_inclusive", open(os.path.join(os.path.dirname(__file__), "../../Contracts/points-per-dollar.rules")).read(),
                {"outcome": {"status": "applied", "effects": [{"award_points": {"points": 2 * 128, "reason": "bonus-2x"}}]}},
                member=MEMBER, time="2026-01-01T00:00:00+08:00"),
    basket_case("window_end_exclusive", open(os.path.join(os.path.dirname(__file__), "../../Contracts/points-per-dollar.rules")).read(),
                {"outcome": {"status": "skipped", "effects": [], "cost": 0}}, member=MEMBER, time="2027-01-01T00:00:00+08:00"),
    basket_case("counter_cap", 'rule "t" version 1 { lang 1 state n: counter max 2 emit increment(n, 1) }', {"eval_error": 14},
                counters={"t": {"n": 2}}),
    basket_case("counter_left", 'rule "t" version 1 { lang 1 state n: counter max 2 require n.left == 1 else fail(1001) emit increment(n, 1) }',
                {"outcome": {"status": "applied", "effects": [{"increment": {"counter": "n", "by": 1}}]}}, counters={"t": {"n": 1}}),
    basket_case("tier_upgrade", open(os.path.join(os.path.dirname(__file__), "../../Contracts/loyalty-tiers.rules")).read(),
                {"outcome": {"status": "applied", "effects": [{"award_points": {"points": 128 * 12 // 10, "reason": "tier-silver"}},
                                                             {"set_tier": {"tier": 3}}]}}, member=MEMBER),
    basket_case("basket_percent_capped", open(os.path.join(os.path.dirname(__file__), "../../Contracts/basket-percent-off.rules")).read(),
                {"outcome": {"status": "applied", "effects": [{"basket_discount": {"amount": 3000, "code": "BASKET10"}}]}},
                lines=[{"sku": "TV", "category": "electronics", "qty": 3, "unitPrice": 12000}]),
    basket_case("basket_percent_under_threshold", open(os.path.join(os.path.dirname(__file__), "../../Contracts/basket-percent-off.rules")).read(),
                {"outcome": {"status": "skipped", "effects": []}}, lines=BASKET[:3]),
    basket_case("for_and_sum", 'rule "t" version 1 { lang 1 let s = basket.lines.filter(l => l.category == "snacks").sum(l => l.net) '
                'require s == S$4.97 else fail(1001) for l in basket.lines.filter(l => l.qty > 1) { emit award_points(l.qty, l.sku) } }',
                {"outcome": {"status": "applied", "effects": [{"award_points": {"points": 2, "reason": "CHIPS"}}]}}),
    basket_case("any_all_count", 'rule "t" version 1 { lang 1 require basket.lines.any(l => l.category == "dairy") and '
                'not basket.lines.all(l => l.qty == 1) and basket.lines.count() == 4 else fail(1001) }', {"outcome": {"status": "applied", "effects": []}}),
    basket_case("sort_stable", 'rule "t" version 1 { lang 1 for l in basket.lines.sort_by(l => l.qty).take(2) { emit award_points(l.index + 1, "i") } }',
                {"outcome": {"status": "applied", "effects": [{"award_points": {"points": 2, "reason": "i"}}, {"award_points": {"points": 3, "reason": "i"}}]}}),
    basket_case("empty_sum_money", 'rule "t" version 1 { lang 1 require basket.lines.filter(l => false).sum(l => l.net) == S$0.00 else fail(1001) }',
                {"outcome": {"status": "applied", "effects": []}}),
    basket_case("when_else", 'rule "t" version 1 { lang 1 when basket.units > 100 { emit award_points(1, "big") } else { emit award_points(2, "small") } }',
                {"outcome": {"status": "applied", "effects": [{"award_points": {"points": 2, "reason": "small"}}]}}),
]
total += write("effects", "Effects, windows, counters and caps, the shipped Contracts/ rules on fixed baskets (values by hand).", cases)

STACK = [open(os.path.join(os.path.dirname(__file__), f"../../Contracts/{n}.rules")).read() for n in
         ["snacks-b2g1", "basket-percent-off", "basket-fixed-off"]]
cases = [
    {"name": "stacking_order_and_after_discounts", "programs": STACK, "input": {"lines": BASKET, "time": TIME},
     "expect": {"set": {"effects": [
         {"rule": "promo.snacks-b2g1", "line_discount": {"line": 1, "amount": 99, "code": "B2G1"}},
         {"rule": "promo.basket-10pct", "basket_discount": {"amount": (12846 - 99) // 10, "code": "BASKET10"}},
         {"rule": "promo.spend50-save5", "basket_discount": {"amount": 500, "code": "SAVE5"}}]}}},
    {"name": "exclusive_group_first_wins", "programs": [
        'rule "a" version 1 { lang 1 priority 1 group "g" emit line_discount(0, S$1.00, "A") }',
        'rule "b" version 1 { lang 1 priority 2 group "g" emit line_discount(0, S$1.00, "B") emit line_discount(1, S$0.50, "B") }',
        'rule "c" version 1 { lang 1 priority 3 emit line_discount(0, S$1.00, "C") }'],
     "input": {"lines": BASKET, "time": TIME},
     "expect": {"set": {"effects": [
         {"rule": "a", "line_discount": {"line": 0, "amount": 100, "code": "A"}},
         {"rule": "b", "line_discount": {"line": 1, "amount": 50, "code": "B"}},
         {"rule": "c", "line_discount": {"line": 0, "amount": 100, "code": "C"}}]}}},
    {"name": "ties_by_rule_id", "programs": [
        'rule "z" version 1 { lang 1 priority 5 emit award_points(1, "z") }', 'rule "a" version 1 { lang 1 priority 5 emit award_points(1, "a") }'],
     "input": {"lines": BASKET, "time": TIME},
     "expect": {"set": {"effects": [{"rule": "a", "award_points": {"points": 1, "reason": "a"}},
                                    {"rule": "z", "award_points": {"points": 1, "reason": "z"}}]}}},
    {"name": "failed_rule_changes_nothing", "programs": [
        'rule "a" version 1 { lang 1 priority 1 emit line_discount(2, S$1.00, "A") emit line_discount(2, S$9.00, "A") }',
        'rule "b" version 1 { lang 1 priority 2 require basket.lines.filter(l => l.index == 2).sum(l => l.net) == S$3.49 else fail(1001) }'],
     "input": {"lines": BASKET, "time": TIME}, "expect": {"set": {"effects": []}}},
]
total += write("stacking", "Rule sets: priority then id, later rules see earlier discounts, exclusivity groups, all-or-nothing.", cases)

# --- The loyalty programme: operator points rates, personal multipliers, rewards ---------------
def contract(name):
    return open(os.path.join(os.path.dirname(__file__), f"../../Contracts/{name}.rules")).read()


TIERS = contract("loyalty-tiers")
TOTE = contract("reward-tote-bag")
TIER_BPS = {1: 10000, 2: 12000, 3: 15000, 4: 20000, 5: 25000}
TIER_REASON = {1: "tier-bronze", 2: "tier-silver", 3: "tier-gold", 4: "tier-platinum", 5: "tier-diamond"}
THRESHOLDS = [0, 100000, 500000, 2000000, 5000000]


def tier_for(spend):
    return max(i + 1 for i, t in enumerate(THRESHOLDS) if spend >= t)


def tiers_effects(lines, member, rates, basket_discount=0):
    """The oracle for Contracts/loyalty-tiers.rules, from its comment, in Python integers."""
    nets = [l["qty"] * l["unitPrice"] - l.get("discount", 0) for l in lines]
    total = sum(nets)
    if not member["isMember"] or total <= 0:
        return None
    rated = sum(n * rates.get(l["category"], 10000) // 10000 for n, l in zip(nets, lines))
    subtotal = total - basket_discount
    dollars = rated * subtotal // total // 100
    tier = member["tier"]
    points = dollars * TIER_BPS[tier] // 10000 * member.get("multiplier", 10000) // 10000
    effects = []
    if points > 0:
        effects.append({"award_points": {"points": points, "reason": TIER_REASON[tier]}})
    earned = tier_for(member["lifetimeSpend"] + subtotal)
    if earned > tier:
        effects.append({"set_tier": {"tier": earned}})
    return effects


RATES = {"snacks": 20000, "electronics": 5000, "dairy": 0}
cases = []
for tier in range(1, 6):
    for multiplier in [10000, 15000, 0, 12345]:
        for rates in [{}, RATES]:
            member = dict(MEMBER, tier=tier, multiplier=multiplier)
            cases.append(basket_case(f"tiers_t{tier}_m{multiplier}_{'rated' if rates else 'default'}", TIERS,
                                     {"outcome": {"status": "applied", "effects": tiers_effects(BASKET, member, rates)}},
                                     member=member, rates=rates))
for spend in [0, 99999, 100000, 487154, 487155, 4999999, 5000000]:
    member = dict(MEMBER, tier=tier_for(spend), lifetimeSpend=spend)
    cases.append(basket_case(f"tiers_upgrade_from_{spend}", TIERS,
                             {"outcome": {"status": "applied", "effects": tiers_effects(BASKET, member, {})}}, member=member))
cases.append(basket_case("tiers_guest_skipped", TIERS, {"outcome": {"status": "skipped", "effects": []}}))
cases.append(basket_case("tiers_free_basket_skipped", TIERS, {"outcome": {"status": "skipped", "effects": []}},
                         lines=[{"sku": "BAG", "category": "misc", "qty": 1, "unitPrice": 0}], member=MEMBER))
for name, expr, value in [("rate_set", 'point_rate("snacks") == 20000', True), ("rate_default", 'point_rate("toys") == 100%', True),
                          ("rate_zero", 'point_rate("dairy") == 0', True), ("rate_case_sensitive", 'point_rate("Snacks") == 20000', False),
                          ("multiplier_member", "customer.multiplier == 15000", True)]:
    cases.append(basket_case(name, f'rule "t" version 1 {{ lang 1 require {expr} else skip }}',
                             {"outcome": {"status": "applied" if value else "skipped", "effects": []}},
                             member=dict(MEMBER, multiplier=15000), rates=RATES))
cases.append(basket_case("multiplier_guest_default", 'rule "t" version 1 { lang 1 require customer.multiplier == 10_000 else fail(1001) }',
                         applied()))
for name, body, code in [("redeem_over_balance", 'emit redeem_points(11, "x")', 18),
                         ("redeem_twice_over_balance", 'emit redeem_points(6, "x") emit redeem_points(5, "y")', 18),
                         ("redeem_zero", 'emit redeem_points(0, "x")', 18),
                         ("redeem_negative", 'emit redeem_points(0 - 1, "x")', 18)]:
    cases.append(basket_case(name, f'rule "t" version 1 {{ lang 1 {body} }}', {"eval_error": code}, member=MEMBER))
cases.append(basket_case("redeem_exact_balance", 'rule "t" version 1 { lang 1 emit redeem_points(4, "x") emit redeem_points(6, "y") }',
                         {"outcome": {"status": "applied", "effects": [{"redeem_points": {"points": 4, "reason": "x"}},
                                                                      {"redeem_points": {"points": 6, "reason": "y"}}]}}, member=MEMBER))
for i, body in enumerate(['emit redeem_points(S$1.00, "x")', 'let x = point_rate(5)', 'let x = customer.multiplier + S$1.00',
                          'emit redeem_points(1)', 'let x = point_rate()']):
    cases.append({"name": f"loyalty_type_{i}", "program": f'rule "t" version 1 {{ lang 1 {body} }}', "expect": {"deploy_error": 2}})

TOTE_LINE = {"sku": "RW-TOTE", "category": "rewards", "qty": 1, "unitPrice": 1290}
RICH = dict(MEMBER, points=5000)
TOTE_APPLIED = {"outcome": {"status": "applied", "effects": [
    {"line_discount": {"line": 4, "amount": 1290, "code": "REWARD-TOTE"}},
    {"redeem_points": {"points": 800, "reason": "reward.tote-bag"}},
    {"increment": {"counter": "taken", "by": 1}}, {"increment": {"counter": "stock", "by": 1}}]}}
cases += [
    basket_case("tote_taken", TOTE, TOTE_APPLIED, lines=BASKET + [TOTE_LINE], member=RICH),
    basket_case("tote_last_one", TOTE, TOTE_APPLIED, lines=BASKET + [TOTE_LINE], member=RICH,
                counters={"reward.tote-bag": {"stock": 499}}),
    basket_case("tote_last_second", TOTE, TOTE_APPLIED, lines=BASKET + [TOTE_LINE], member=RICH, time="2026-12-31T23:59:59+08:00"),
    basket_case("tote_not_asked", TOTE, {"outcome": {"status": "skipped", "effects": []}}, member=RICH),
    basket_case("tote_guest", TOTE, {"eval_error": 2001}, lines=BASKET + [TOTE_LINE]),
    basket_case("tote_two", TOTE, {"eval_error": 2002}, lines=BASKET + [dict(TOTE_LINE, qty=2)], member=RICH),
    basket_case("tote_two_lines", TOTE, {"eval_error": 2002}, lines=[TOTE_LINE, TOTE_LINE], member=RICH),
    basket_case("tote_once_per_member", TOTE, {"eval_error": 2003}, lines=BASKET + [TOTE_LINE], member=RICH,
                counters={"reward.tote-bag": {"taken": 1}}),
    basket_case("tote_none_left", TOTE, {"eval_error": 2004}, lines=BASKET + [TOTE_LINE], member=RICH,
                counters={"reward.tote-bag": {"stock": 500}}),
    basket_case("tote_not_enough_points", TOTE, {"eval_error": 2005}, lines=BASKET + [TOTE_LINE], member=dict(MEMBER, points=799)),
    basket_case("tote_expired", TOTE, {"eval_error": 2006}, lines=BASKET + [TOTE_LINE], member=RICH, time="2027-01-01T00:00:00+08:00"),
]
# Stacked: the reward makes its line free first; the programme earns on what is paid.
lines = BASKET + [TOTE_LINE]
after = [dict(l) for l in lines]
after[4]["discount"] = 1290
stack_effects = [{"rule": "reward.tote-bag", **e} for e in TOTE_APPLIED["outcome"]["effects"]]
stack_effects += [{"rule": "loyalty.tiers", **e} for e in tiers_effects(after, RICH, RATES)]
cases.append({"name": "tote_then_tiers", "programs": [TIERS, TOTE],
              "input": {"lines": lines, "time": TIME, "member": RICH, "pointRates": RATES}, "expect": {"set": {"effects": stack_effects}}})
# Stacked: a basket discount (10 % capped at S$30) reduces the points in proportion.
tv = [{"sku": "TV", "category": "electronics", "qty": 3, "unitPrice": 12000}, {"sku": "CHIPS", "category": "snacks", "qty": 1, "unitPrice": 199}]
pct = contract("basket-percent-off")
effects = [{"rule": "promo.basket-10pct", "basket_discount": {"amount": 3000, "code": "BASKET10"}}]
effects += [{"rule": "loyalty.tiers", **e} for e in tiers_effects(tv, MEMBER, RATES, basket_discount=3000)]
cases.append({"name": "basket_discount_then_tiers", "programs": [TIERS, pct],
              "input": {"lines": tv, "time": TIME, "member": MEMBER, "pointRates": RATES}, "expect": {"set": {"effects": effects}}})
total += write("loyalty", "The loyalty programme (operator points rates, personal multipliers, tiers) and a rewards "
               "catalogue entry (points cost, quantity, once per member, expiry); values from Python integers.", cases)
print(f"wrote {total} cases to {os.path.normpath(OUT)}")
