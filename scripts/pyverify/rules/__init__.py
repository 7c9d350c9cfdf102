"""A second implementation of the rules language, written from docs/CONTRACTS.md with the
Python standard library only (issue 21).

  compile_rule(source) -> CompiledRule       parse (1, 5), check (4, 2), bound the cost (3)
  evaluate(compiled, Input) -> Outcome       one metered run (§3.3, §5, §6)
  evaluate_set(compiled_rules, Input, counters_by_rule) -> (effects, outcomes)   a rule set (§4)

Modules: lexer, parser (syntax), checker (types and the static bound, cost), interpreter
(evaluation and effects, arith), ruleset, timeparse. A source may nest expressions
thousands deep (``1 + 1 + …``), so the entry points run on a thread with a large stack.
"""

import sys
import threading
from dataclasses import dataclass

from .errors import ContractError
from .parser import parse
from .checker import check
from .interpreter import Input, Line, Customer, Outcome, evaluate as _evaluate
from .ruleset import evaluate_set as _evaluate_set, stopped_by
from .timeparse import parse_rfc3339
from . import syntax

_STACK_BYTES = 512 * 1024 * 1024


def _deep(fn, *args):
    """Runs ``fn(*args)`` on a thread with a large stack and recursion limit."""
    result = {}

    def target():
        try:
            result["value"] = fn(*args)
        except BaseException as exc:          # handed back to the caller
            result["error"] = exc

    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 1_000_000))
    old_size = threading.stack_size(_STACK_BYTES)
    try:
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_size)
    if "error" in result:
        raise result["error"]
    return result["value"]


@dataclass
class CompiledRule:
    rule: syntax.Rule
    static_cost: int

    @property
    def id(self):
        return self.rule.id


def _compile(source):
    rule = parse(source)
    return CompiledRule(rule, check(rule))


def compile_rule(source):
    """Parses and checks ``source``; raises ``ContractError`` with a deploy code (1–5)."""
    return _deep(_compile, source)


def evaluate(compiled, inp):
    """One run of ``compiled`` on ``inp`` (an ``Input``): an ``Outcome``."""
    return _deep(_evaluate, compiled, inp)


def evaluate_set(compiled_rules, inp, counters_by_rule):
    """A rule set's run: (effects as (rule id, effect), [(rule id, Outcome)])."""
    return _deep(_evaluate_set, compiled_rules, inp, counters_by_rule)


__all__ = ["ContractError", "CompiledRule", "compile_rule", "Input", "Line", "Customer", "Outcome",
           "evaluate", "evaluate_set", "stopped_by", "parse_rfc3339"]
