#!/usr/bin/env python3
"""Unit tests of the Python rules implementation (scripts/pyverify/rules) on what the
conformance suites do not pin: positions, costs, the Money tag, scopes, limits, effects
against the rule's own earlier effects. Every expected value is worked out by hand from
docs/CONTRACTS.md (the section is named on each test). Run: python3 rules_test.py
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rules import ContractError, compile_rule, evaluate, evaluate_set, Input, Line, Customer  # noqa: E402


def rule(body, header=""):
    return f'rule "t" version 1 {{ {header + " " if header else ""}{body} }}'


def lines(*specs):
    """(qty, unit price) pairs as basket lines."""
    return [Line(f"S{i}", "snacks", q, p, q * p) for i, (q, p) in enumerate(specs)]


class Base(unittest.TestCase):
    def deploy_error(self, source, code, line, column):
        with self.assertRaises(ContractError) as raised:
            compile_rule(source)
        self.assertEqual((raised.exception.code, raised.exception.line, raised.exception.column), (code, line, column),
                         str(raised.exception))

    def run_rule(self, source, basket=(), **kw):
        compiled = compile_rule(source)
        return compiled, evaluate(compiled, Input(lines=list(basket), **kw))

    def failed(self, source, code, at, basket=(), cost=None):
        _, outcome = self.run_rule(source, basket)
        self.assertEqual(outcome.status, "failed")
        self.assertEqual((outcome.error.code, outcome.error.line, outcome.error.column), (code,) + at, str(outcome.error))
        if cost is not None:
            self.assertEqual(outcome.cost, cost)


class Lexical(Base):
    """§2."""

    def test_number_errors_are_reported_after_the_number(self):
        self.deploy_error(rule("let x = 1.5"), 1, 1, 33)
        self.deploy_error(rule("let x = S$1.5"), 1, 1, 35)
        self.deploy_error(rule("let x = 1.005%"), 1, 1, 36)
        self.deploy_error(rule("let x = 99999999999999999999"), 5, 1, 50)

    def test_strings(self):
        self.deploy_error(rule('let x = "a\\b"'), 1, 1, 32)                    # at the backslash
        self.deploy_error('rule "t" version 1 { let x = "ab', 1, 1, 33)       # at the end of the source
        self.deploy_error(rule('let x = "' + "a" * 257 + '"'), 5, 1, 30)      # at the opening quote

    def test_columns_count_bytes(self):
        # `"é"` takes 4 bytes: the `}` after `+ ` is at column 37, not 36.
        self.deploy_error(rule('let x = "é" +'), 1, 1, 37)

    def test_lexical_errors_win_over_syntax_errors(self):
        self.deploy_error('rule "t" version 1 { let } #', 1, 1, 28)

    def test_numbers(self):
        _, outcome = self.run_rule(rule('emit award_points(1__0 + cents(S$7) + 12.5%, "a")'))
        self.assertEqual(outcome.effects, [("award_points", 10 + 700 + 1250, "a")])

    def test_source_limit(self):
        self.deploy_error(rule("let x = 1") + " " * 65_536, 1, 0, 0)


class Syntax(Base):
    """§3.1."""

    def test_rule_id_and_fail_code_are_reported_at_the_next_token(self):
        self.deploy_error('rule "" version 1 { }', 1, 1, 9)
        self.deploy_error('rule "' + "a" * 65 + '" version 1 { }', 1, 1, 74)
        self.deploy_error(rule("require true else fail(5)"), 1, 1, 46)

    def test_headers_before_statements(self):
        self.deploy_error(rule("let x = 1 lang 1"), 1, 1, 32)

    def test_language_is_checked_after_parsing(self):
        self.deploy_error(rule("let x =", "lang 2"), 1, 1, 37)
        self.deploy_error(rule("", "lang 2"), 4, 0, 0)

    def test_depth(self):
        compile_rule(rule("let x = " + "(" * 63 + "1" + ")" * 63))
        self.deploy_error(rule("let x = " + "(" * 64 + "1" + ")" * 64), 1, 1, 94)   # the `1`

    def test_operator_chains_count_in_the_height_not_the_depth(self):
        # 63 parentheses (depth 64) around a chain of 63 operators (height 64) compile
        compiled, outcome = self.run_rule(rule("let x = " + "(" * 63 + "-1" + " + 1" * 62 + ")" * 63))
        self.assertEqual(outcome.status, "applied")
        # the first node above 64 is reported, however long the chain goes on
        # (the expression starts at column 30)
        self.deploy_error(rule("let x = " + "-" * 1000 + "1" + " + 1" * 3000), 1, 1, 30 + 1000 - 64)  # the `-` 65 high
        self.deploy_error(rule("let x = 1" + " + 1" * 3000), 1, 1, 30 + 2 + 4 * 63)               # the 64th `+`

    def test_window_form(self):
        self.deploy_error(rule("", 'window "2026-01-01" ..< "2027-01-01"'), 1, 1, 22)
        compile_rule(rule("", 'window "2026-02-31T00:00:00Z" ..< "2026-12-01T00:00:00+99:99"'))


class Types(Base):
    """§3.2."""

    def test_positions(self):
        self.deploy_error(rule("require 1 else skip"), 2, 1, 22)       # the statement's word
        self.deploy_error(rule("let x = basket.nope"), 2, 1, 36)      # the `.`
        self.deploy_error(rule("let x = basket.lines.filter(l => l.qty)"), 2, 1, 42)
        self.deploy_error(rule('emit award_points(S$1.00, "x")'), 2, 1, 40)   # the argument
        self.deploy_error(rule('emit line_discount(amount: S$1, line: 0, code: "x")'), 2, 1, 22)

    def test_counter_declarations_have_no_position(self):
        self.deploy_error(rule("", "state a: counter max 1 budget a: counter max 2"), 2, 0, 0)
        self.deploy_error(rule("", "state a: counter max 0"), 2, 0, 0)
        self.deploy_error(rule("", "state ctx: counter max 1"), 2, 0, 0)

    def test_let_may_not_shadow_but_loops_and_parameters_may(self):
        self.deploy_error(rule("for x in basket.lines { let x = 1 }"), 2, 1, 46)
        compile_rule(rule("let x = 1 for x in basket.lines { } let y = basket.lines.filter(basket => basket.qty > x)"))
        compile_rule(rule("when true { let a = 1 } let a = 2"))

    def test_rounding_is_not_equatable_and_sort_keys_are_numbers(self):
        self.deploy_error(rule("require .floor == .floor else skip"), 2, 1, 37)
        self.deploy_error(rule("let x = basket.lines.sort_by(l => l.sku)"), 2, 1, 42)
        compile_rule(rule("emit set_tier(min(.gold, customer.tier))"))

    def test_an_effect_ignores_a_function_parameter(self):
        _, outcome = self.run_rule(rule('emit award_points(x => 5, "a")'))
        self.assertEqual(outcome.effects, [("award_points", 5, "a")])


class Costs(Base):
    """§5: bounds and runs worked out by hand."""

    def bound(self, source, ticks):
        self.assertEqual(compile_rule(source).static_cost, ticks)

    def test_static(self):
        self.bound(rule("let x = div(7, 2, .floor)"), 1 + 1 + 0 + 3 + 1)
        self.bound(rule("let x = basket.lines.take(2)"), 2 + 1 + 1 + 500 + 1)
        self.bound(rule("let x = basket.lines.sort_by(l => l.qty)"), 2 + 4 + 500 * 2 + 2 * 500 * 9 + 1)
        self.bound(rule("let x = basket.lines.expand(l => l.qty)"), 2 + 2 + 500 * 2 + 1024 + 1)
        self.bound(rule("emit increment(n, 1)", "state n: counter max 5"), 30 + 1)
        self.bound(rule("when true { let a = S$1 + S$2 } else { let b = 1 }"), 1 + (1 + 1 + 2 + 1))
        self.deploy_error(rule("for a in basket.lines { for b in basket.lines { let x = 1 } }"), 3, 0, 0)

    def test_the_money_tag(self):
        base = "const m = S$1.00 let e = basket.lines.filter(l => false).sum(l => m) "
        # const 2, let e 1 + 1 + 2 + 2 + 1 = 7, then e, m, `+` (1: e is untagged), let.
        self.assertEqual(self.run_rule(rule(base + "let y = e + m"))[1].cost, 2 + 7 + 4)
        self.assertEqual(self.run_rule(rule(base + "let y = m + e"))[1].cost, 2 + 7 + 5)
        by_field = "let e = basket.lines.filter(l => false).sum(l => l.net) let y = e + S$1.00"
        self.assertEqual(self.run_rule(rule(by_field))[1].cost, 7 + 5)

    def test_a_failed_run_includes_the_failing_operation(self):
        self.failed(rule("let x = 9223372036854775807 + 1"), 10, (1, 50), cost=3)
        self.failed(rule("let x = div(5, 0, .floor)"), 11, (1, 30), cost=5)
        self.failed(rule('emit line_discount(9, S$1.00, "x")'), 17, (1, 22), basket=lines((1, 100)), cost=13)


class Running(Base):
    """§3.3."""

    def test_own_discounts_and_increments_are_seen(self):
        source = rule('for l in basket.lines { emit line_discount(l.index, S$1.00, "a") '
                      'emit line_discount(l.index, l.net, "b") } emit award_points(n.used, "u") emit increment(n, 2) '
                      'emit award_points(n.used * 10 + n.left, "v")', "state n: counter max 3")
        compiled = compile_rule(source)
        outcome = evaluate(compiled, Input(lines=lines((1, 300)), counters={"n": 1}))
        self.assertEqual(outcome.effects, [("line_discount", 0, 100, "a"), ("line_discount", 0, 200, "b"),
                                           ("award_points", 1, "u"), ("increment", "n", 2),
                                           ("award_points", 30, "v")])

    def test_basket_discount_after_own_line_discount(self):
        self.failed(rule('emit line_discount(0, S$1.00, "a") emit basket_discount(S$3.00, "b")'), 13, (1, 57),
                    basket=lines((1, 300)))

    def test_zero_points_emit_nothing(self):
        self.assertEqual(self.run_rule(rule('emit award_points(0, "a")'))[1].effects, [])

    def test_effects_cap(self):
        source = rule('emit award_points(1, "a") for u in basket.lines.expand(l => l.qty) { emit award_points(1, "x") }')
        self.failed(source, 15, (1, 91), basket=lines((1024, 1)))

    def test_expand_and_take(self):
        self.failed(rule("let x = basket.lines.expand(l => 0 - 1)"), 16, (1, 42), basket=lines((1, 1)))
        _, outcome = self.run_rule(rule('emit award_points(basket.lines.take(0 - 5).count() + 1, "a")'), lines((1, 1)))
        self.assertEqual(outcome.effects, [("award_points", 1, "a")])

    def test_scale_near_the_limits(self):
        # a × bps ÷ 10,000 rounds up to exactly 2^63: error 10 (CONTRACTS.md §3.3).
        self.failed(rule("let x = scale(9222449791875588249, 10001, .ceil)"), 10, (1, 30))
        # −2^63 fits: no overflow.
        _, outcome = self.run_rule(rule("let x = scale(0 - 9223372036854775807 - 1, 10000, .trunc)"))
        self.assertEqual(outcome.status, "applied")
        self.failed(rule("let x = -(0 - 9223372036854775807 - 1)"), 10, (1, 30))

    def test_windows_are_half_open(self):
        source = rule('emit award_points(1, "a")', 'window "2026-01-01T00:00:00+08:00" ..< "2027-01-01T00:00:00+08:00"')
        compiled = compile_rule(source)
        start = 1767196800000
        self.assertEqual(evaluate(compiled, Input(lines=[], time_ms=start)).status, "applied")
        outside = evaluate(compiled, Input(lines=[], time_ms=start - 1))
        self.assertEqual((outside.status, outside.cost), ("skipped", 0))

    def test_guest(self):
        _, outcome = self.run_rule(rule('emit award_points(customer.multiplier + customer.points, customer.id)'),
                                   customer=Customer())
        self.assertEqual(outcome.effects, [("award_points", 10_000, "")])


class Sets(Base):
    """§4."""

    def test_group_keeps_the_first_and_its_own_second_discount(self):
        a = compile_rule('rule "a" version 1 { priority 1 group "g" emit line_discount(0, S$1.00, "A") '
                         'emit line_discount(0, S$1.00, "A2") }')
        b = compile_rule('rule "b" version 1 { priority 2 group "g" emit line_discount(0, S$1.00, "B") '
                         'emit award_points(1, "B") }')
        c = compile_rule('rule "c" version 1 { priority 3 emit basket_discount(basket.subtotal, "C") }')
        effects, _ = evaluate_set([c, b, a], Input(lines=lines((1, 500))), {})
        self.assertEqual(effects, [("a", ("line_discount", 0, 100, "A")), ("a", ("line_discount", 0, 100, "A2")),
                                   ("b", ("award_points", 1, "B")), ("c", ("basket_discount", 300, "C"))])


if __name__ == "__main__":
    unittest.main()
