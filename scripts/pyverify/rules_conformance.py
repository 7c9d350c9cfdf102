#!/usr/bin/env python3
"""Runs every conformance suite (Tests/SGPOSContractsTests/Conformance/*.json) through the
Python implementation of the rules language (scripts/pyverify/rules, written from
docs/CONTRACTS.md) and compares each case with its expectation, field by field as
ConformanceTests.swift does: deploy error code, evaluation error code, status, effects in
order, cost when the case gives one, and a rule set's effects with their rule ids; and,
where a case has them (§8), error positions, an evaluation error's cost, the static
bound and a set's per-rule outcomes.

Prints one line per disagreeing case (its name, the Python result, the case's
expectation) and a summary `rules conformance: N/M cases agree`; exits 1 on any
disagreement.

  rules_conformance.py [-v]                  the nine suites (CONTRACTS.md §8)
  rules_conformance.py FILE.json… [-v]       other suites, e.g. rules_fuzz.py's output
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rules import ContractError, compile_rule, evaluate, evaluate_set, stopped_by, Input, Line, Customer, parse_rfc3339  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SUITE_DIR = os.path.join(ROOT, "Tests", "SGPOSContractsTests", "Conformance")
SUITES = ["rounding", "scale", "arithmetic", "expressions", "parse", "types", "effects", "stacking", "loyalty"]
DEFAULT_TIME = "2026-11-05T10:00:00+08:00"


def case_input(data):
    """A case's `input` (CONTRACTS.md §8) as the rules see it."""
    data = data or {}
    lines = [Line(l["sku"], l["category"], l["qty"], l["unitPrice"], l["qty"] * l["unitPrice"],
                  l.get("tax", "SR"), l.get("includesGst", True), data.get("gstRate", 900))
             for l in data.get("lines", [])]
    customer = Customer()
    if "member" in data:
        m = data["member"]
        customer = Customer(m["id"], m["isMember"], m["tier"], m["lifetimeSpend"], m["points"],
                            m.get("multiplier", 10_000))
    time_ms = parse_rfc3339(data.get("time", DEFAULT_TIME))
    return Input(lines=lines, customer=customer, time_ms=time_ms, point_rates=dict(data.get("pointRates", {})), codes=list(data.get("codes", [])),
                 coupons=list(data.get("coupons", [])))


def effect_json(effect):
    kind = effect[0]
    if kind == "line_discount":
        return {"line_discount": {"line": effect[1], "amount": effect[2], "code": effect[3]}}
    if kind == "basket_discount":
        return {"basket_discount": {"amount": effect[1], "code": effect[2]}}
    if kind in ("award_points", "redeem_points"):
        return {kind: {"points": effect[1], "reason": effect[2]}}
    if kind == "set_tier":
        return {"set_tier": {"tier": effect[1]}}
    return {"increment": {"counter": effect[1], "by": effect[2]}}


def check_extras(expect, result, problems, static_cost=None):
    """The optional fields of §8 (`position`, `cost` of an evaluation error, `staticCost`)."""
    if "position" in expect and result.get("position") != expect["position"]:
        problems.append("position differs")
    if "eval_error" in expect and "cost" in expect and result.get("cost") != expect["cost"]:
        problems.append("cost differs")
    if "staticCost" in expect and static_cost != expect["staticCost"]:
        problems.append("static cost differs")


def run_case(case):
    """Returns (the Python implementation's result in the shape of `expect`, disagreements)."""
    expect = case["expect"]
    data = case.get("input") or {}
    inp = case_input(data)
    counters = data.get("counters", {})
    problems = []
    if "programs" in case:
        compiled = []
        for source in case["programs"]:
            try:
                compiled.append(compile_rule(source))
            except ContractError as error:
                return {"deploy_error": error.code, "position": [error.line, error.column]}, \
                    [f"a rule of the set does not compile: {error}"]
        effects, outcomes = evaluate_set(compiled, inp, counters)
        got = [dict(rule=rid, **effect_json(e)) for rid, e in effects]
        described = []
        for rid, o in outcomes:
            entry = {"rule": rid, "status": o.status, "cost": o.cost}
            if o.reason is not None:
                entry["reason"] = o.reason
            if o.error:
                entry.update(eval_error=o.error.code, position=[o.error.line, o.error.column])
            described.append(entry)
        stopped = stopped_by(compiled, outcomes)
        if got != expect["set"]["effects"]:
            problems.append("set effects differ")
        if stopped != expect["set"].get("stoppedBy"):
            problems.append("the rule that stopped the set differs")
        if "outcomes" in expect and described != expect["outcomes"]:
            problems.append("rule outcomes differ")
        result_set = {"effects": got}
        if stopped is not None:
            result_set["stoppedBy"] = stopped
        return {"set": result_set, "outcomes": described}, problems
    try:
        compiled = compile_rule(case["program"])
    except ContractError as error:
        result = {"deploy_error": error.code, "position": [error.line, error.column]}
        if expect.get("deploy_error") != error.code:
            problems.append("deploy error differs")
        else:
            check_extras(expect, result, problems)
        return result, problems
    if "deploy_error" in expect:
        return {"staticCost": compiled.static_cost}, ["compiled, but a deploy error was expected"]
    inp.counters = counters.get(compiled.id, {})
    outcome = evaluate(compiled, inp)
    if outcome.cost > compiled.static_cost:
        problems.append(f"dynamic cost {outcome.cost} above the static bound {compiled.static_cost}")
    if outcome.status == "failed":
        result = {"eval_error": outcome.error.code, "position": [outcome.error.line, outcome.error.column],
                  "cost": outcome.cost, "staticCost": compiled.static_cost}
    else:
        result = {"outcome": {"status": outcome.status, "effects": [effect_json(e) for e in outcome.effects],
                              "cost": outcome.cost}, "staticCost": compiled.static_cost}
        if outcome.reason is not None:
            result["outcome"]["reason"] = outcome.reason
    if "eval_error" in expect:
        if outcome.status != "failed" or outcome.error.code != expect["eval_error"]:
            problems.append("evaluation error differs")
        else:
            check_extras(expect, result, problems, compiled.static_cost)
        return result, problems
    wanted = expect["outcome"]
    if outcome.status != wanted["status"]:
        problems.append("status differs")
    elif outcome.status == "applied" and result["outcome"]["effects"] != wanted["effects"]:
        problems.append("effects differ")
    elif outcome.status == "skipped" and outcome.reason != wanted.get("reason"):
        problems.append("skip reason differs")
    if "cost" in wanted and outcome.cost != wanted["cost"]:
        problems.append("cost differs")
    check_extras(expect, result, problems, compiled.static_cost)
    return result, problems


def main(argv):
    verbose = "-v" in argv
    files = [a for a in argv if a != "-v"] or [os.path.join(SUITE_DIR, name + ".json") for name in SUITES]
    started = time.monotonic()
    total = agree = 0
    for path in files:
        with open(path) as f:
            suite = json.load(f)
        suite_name = suite.get("suite", os.path.basename(path))
        if suite.get("lang") != 1:
            print(f"DISAGREE {suite_name}: lang is {suite.get('lang')}, not 1")
            total += 1
            continue
        for case in suite["cases"]:
            total += 1
            try:
                result, problems = run_case(case)
            except Exception as exc:       # a crash of the implementation is a disagreement too
                result, problems = {"crash": repr(exc)}, ["the Python implementation crashed"]
            if problems:
                print(f"DISAGREE {suite_name}/{case['name']}: {'; '.join(problems)}: "
                      f"python {json.dumps(result, ensure_ascii=False)}, case {json.dumps(case['expect'], ensure_ascii=False)}")
            else:
                agree += 1
                if verbose:
                    print(f"ok {suite_name}/{case['name']}: {json.dumps(result, ensure_ascii=False)}")
    print(f"rules conformance: {agree}/{total} cases agree ({time.monotonic() - started:.1f} s)")
    return 0 if agree == total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
