"""Rule sets (docs/CONTRACTS.md §4): one order, later rules see earlier discounts,
exclusivity groups.

Rules run by priority ascending, then rule id bytewise. A rule sees each line's net after
the earlier rules' line discounts and ``basket.subtotal`` after earlier line and basket
discounts, and its own counters by its id. A rule that is skipped or fails contributes
nothing. Within an exclusivity group the first rule to discount a line keeps it (and may
discount it again): later line discounts of that group on that line are dropped — they
do not lower the net later rules see — and the dropping rule's other effects stand. Once
a rule with the ``stop`` header is applied, the rules after it do not run (no outcome).
"""

from dataclasses import replace

from .interpreter import evaluate


def order(compiled_rules):
    return sorted(compiled_rules, key=lambda c: (c.rule.priority, c.rule.id.encode("utf-8")))


def evaluate_set(compiled_rules, inp, counters_by_rule):
    """Runs the rules in order on ``inp``; returns (effects as (rule id, effect), outcomes).
    ``stopped_by(outcomes, compiled_rules)`` names the rule that stopped the set, if any."""
    nets = [line.net for line in inp.lines]
    basket_discount = 0
    coupons = list(inp.coupons)
    claims = {}                       # (group, line) → rule id
    effects, outcomes = [], []
    for compiled in order(compiled_rules):
        rule = compiled.rule
        run_input = replace(inp, nets=list(nets), basket_discount=basket_discount,
                            counters=counters_by_rule.get(rule.id, {}), coupons=list(coupons))
        outcome = evaluate(compiled, run_input)
        outcomes.append((rule.id, outcome))
        if outcome.status != "applied":
            continue
        if rule.coupon is not None:       # an applied coupon rule uses one coupon of its campaign
            taken = [c.encode() for c in coupons].index(rule.coupon.encode())
            coupons.pop(taken)
        for effect in outcome.effects:
            if effect[0] == "line_discount":
                line, amount = effect[1], effect[2]
                if rule.group is not None:
                    owner = claims.setdefault((rule.group, line), rule.id)
                    if owner != rule.id:
                        continue
                nets[line] -= amount
            elif effect[0] == "basket_discount":
                basket_discount += effect[1]
            effects.append((rule.id, effect))
        if rule.stop:
            break
    return effects, outcomes


def stopped_by(compiled_rules, outcomes):
    """The id of the applied ``stop`` rule after which no rule ran, or None."""
    stops = {c.rule.id for c in compiled_rules if c.rule.stop}
    if outcomes and outcomes[-1][0] in stops and outcomes[-1][1].status == "applied":
        return outcomes[-1][0]
    return None
