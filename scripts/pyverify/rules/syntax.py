"""The syntax tree of a rule (docs/CONTRACTS.md §3.1). Every node keeps its position
(line, column) for error messages."""

from dataclasses import dataclass, field
from typing import Optional


@dataclass
class Expr:
    pos: tuple


@dataclass
class IntLit(Expr):
    value: int


@dataclass
class MoneyLit(Expr):
    value: int


@dataclass
class StringLit(Expr):
    value: str


@dataclass
class BoolLit(Expr):
    value: bool


@dataclass
class EnumLit(Expr):
    """``.gold``, ``.floor``: a tier or a rounding mode."""
    name: str


@dataclass
class Name(Expr):
    name: str


@dataclass
class Field(Expr):
    target: Expr
    name: str


@dataclass
class Arg:
    """A call argument: an expression, or a lambda ``param => value``."""
    value: Expr
    param: Optional[str] = None
    pos: tuple = (0, 0)
    label: Optional[str] = None


@dataclass
class Call(Expr):
    name: str
    args: list


@dataclass
class Method(Expr):
    target: Expr
    name: str
    args: list


@dataclass
class Unary(Expr):
    op: str
    operand: Expr


@dataclass
class Binary(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass
class Stmt:
    pos: tuple


@dataclass
class Let(Stmt):
    name: str
    value: Expr
    const: bool = False


@dataclass
class Require(Stmt):
    cond: Expr
    fail_code: Optional[int]   # None: else skip
    reason: Optional[str] = None   # else skip("reason")


@dataclass
class When(Stmt):
    cond: Expr
    then: list
    otherwise: list


@dataclass
class For(Stmt):
    name: str
    items: Expr
    body: list


@dataclass
class Emit(Stmt):
    effect: str
    args: list


@dataclass
class Rule:
    id: str
    version: int
    language: int = 1
    priority: int = 0
    group: Optional[str] = None
    stop: bool = False                        # the `stop` header: later rules do not run once applied
    window: Optional[tuple] = None            # (from_ms, until_ms), half-open
    coupon: Optional[str] = None              # `coupon "CAMPAIGN"`: runs only with such a coupon keyed in
    issues: Optional[tuple] = None            # `issues "CAMPAIGN" days N`: (campaign, days)
    member_counters: list = field(default_factory=list)   # [(name, max, pos)]
    budgets: list = field(default_factory=list)          # [(name, max, pos)]
    body: list = field(default_factory=list)
    pos: tuple = (1, 1)

    @property
    def counters(self):
        return self.member_counters + self.budgets
