"""Parser of the rules language (docs/CONTRACTS.md §2, §3.1): a source to a ``Rule``.

  program   = "rule" STRING "version" INT "{" {header} {statement} "}" EOF
  header    = "lang" INT | "priority" INT | "group" STRING
            | "window" STRING "..<" STRING
            | ("state" | "budget") NAME ":" "counter" "max" INT
  statement = ("const" | "let") NAME "=" expr
            | "require" expr "else" ("skip" ["(" STRING ")"] | "fail" "(" INT ")")
            | "when" expr block ["else" block]
            | "for" NAME "in" expr block
            | "emit" NAME "(" args ")"
  block     = "{" {statement} "}"
  expr      = and {"or" and}
  and       = not {"and" not}
  not       = "not" not | compare
  compare   = sum [("==" | "!=" | "<=" | ">=" | "<" | ">") sum]
  sum       = product {("+" | "-") product}
  product   = unary {"*" unary}
  unary     = "-" unary | postfix
  postfix   = primary {"." NAME ["(" args ")"]}
  primary   = INT | PERCENT | MONEY | STRING | "true" | "false" | NAME ["(" args ")"]
            | "(" expr ")" | "." NAME
  args      = [arg {"," arg} [","]]            (at most 8)
  arg       = [WORD ":"] [WORD "=>"] expr

NAME is an identifier that is not a keyword; WORD is any identifier. Headers may
repeat (the last lang, priority, group, window counts; counters add up) but none may
follow a statement. Blocks and expressions (each ``expr``: a statement's, a
parenthesised one, an argument) nest at most 64 deep together. Every operator, field
access, method call and call is at most 64 high (1 + its highest operand, target or
argument; leaves are 1), checked as the node is completed.

Errors are code 1 at the token where the parser stopped, except: a rule id that is empty
or over 64 bytes and a ``fail`` code outside 1000…65535 are reported at the token after
them; a bad window at its ``window`` keyword. ``lang`` is checked by the checker.
"""

from . import syntax as S
from .errors import PARSE, ContractError
from .lexer import tokenize, KEYWORDS

DEPTH_MAX = 64
HEIGHT_MAX = 64
ARGUMENTS_MAX = 8
COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")
HEADERS = ("lang", "priority", "group", "window", "state", "budget", "stop", "coupon", "issues")  # the last three are not keywords


class Parser:
    def __init__(self, source):
        self.tokens = tokenize(source)
        self.k = 0
        self.depth = 0

    @property
    def tok(self):
        return self.tokens[self.k]

    def advance(self):
        t = self.tokens[self.k]
        if self.k < len(self.tokens) - 1:
            self.k += 1
        return t

    def error(self, message, pos=None):
        line, column = pos or self.tok.pos
        raise ContractError(PARSE, line, column, message)

    def is_word(self, word):
        return self.tok.is_word(word)

    def expect(self, symbol):
        if not self.tok.is_symbol(symbol):
            self.error(f"expected '{symbol}'")
        self.advance()

    def expect_word(self, word):
        if not self.is_word(word):
            self.error(f"expected '{word}'")
        self.advance()

    def name(self, what):
        t = self.tok
        if t.kind != "ident" or t.value in KEYWORDS:
            self.error(f"expected {what}")
        self.advance()
        return t.value

    def integer(self, what):
        if self.tok.kind != "int":
            self.error(f"expected {what} (an integer)")
        return self.advance().value

    def string(self, what):
        if self.tok.kind != "string":
            self.error(f"expected {what} (a string)")
        return self.advance().value

    # -- program -------------------------------------------------------------------
    def rule(self):
        from .timeparse import parse_rfc3339
        self.expect_word("rule")
        rid = self.string("the rule id")
        if not 1 <= len(rid.encode("utf-8")) <= 64:
            self.error("a rule id is 1...64 bytes")
        self.expect_word("version")
        rule = S.Rule(id=rid, version=self.integer("the version"))
        self.expect("{")
        saw_statement = False
        while not self.tok.is_symbol("}"):
            if self.tok.kind == "eof":
                self.error("expected '}' to close the rule")
            at = self.tok.pos
            word = self.tok.value if self.tok.kind == "ident" else None
            if word in HEADERS and saw_statement:
                self.error("headers (lang, priority, group, window, state, budget, stop, coupon, issues) come before statements")
            if word == "stop":
                self.advance()
                rule.stop = True
            elif word in ("coupon", "issues"):
                # §4: a campaign is 1-32 bytes 0x21-0x7E; an issued coupon is valid 1-3650 days;
                # either error is reported at the header word.
                self.advance()
                campaign = self.string("the coupon campaign")
                data = campaign.encode("utf-8")
                if not (1 <= len(data) <= 32 and all(0x21 <= b <= 0x7E for b in data)):
                    self.error("a coupon campaign is 1-32 printable ASCII characters without spaces", at)
                if word == "issues":
                    self.expect_word("days")
                    days = self.integer("the days the coupon is valid")
                    if not 1 <= days <= 3650:
                        self.error("an issued coupon is valid 1-3650 days", at)
                    rule.issues = (campaign, days)
                else:
                    rule.coupon = campaign
            elif word == "lang":
                self.advance()
                rule.language = self.integer("the language version")
            elif word == "priority":
                self.advance()
                rule.priority = self.integer("the priority")
            elif word == "group":
                self.advance()
                rule.group = self.string("the exclusivity group")
            elif word == "window":
                self.advance()
                start = self.string("the window start (RFC 3339)")
                self.expect("..<")
                end = self.string("the window end (RFC 3339)")
                a, b = parse_rfc3339(start), parse_rfc3339(end)
                if a is None or b is None or not a < b:
                    self.error("window needs two RFC 3339 times with an offset, the first before the second", at)
                rule.window = (a, b)
            elif word in ("state", "budget"):
                self.advance()
                name_pos = self.tok.pos
                name = self.name("the counter name")
                self.expect(":")
                self.expect_word("counter")
                self.expect_word("max")
                cap = self.integer("the counter's maximum")
                (rule.member_counters if word == "state" else rule.budgets).append((name, cap, name_pos))
            else:
                saw_statement = True
                rule.body.append(self.statement())
        self.advance()
        if self.tok.kind != "eof":
            self.error("nothing may follow the rule")
        return rule

    def block(self):
        self.expect("{")
        self.depth += 1
        if self.depth > DEPTH_MAX:
            self.error(f"blocks nest deeper than {DEPTH_MAX}")
        body = []
        while not self.tok.is_symbol("}"):
            if self.tok.kind == "eof":
                self.error("expected '}'")
            body.append(self.statement())
        self.advance()
        self.depth -= 1
        return body

    def statement(self):
        at = self.tok.pos
        if self.is_word("const") or self.is_word("let"):
            const = self.is_word("const")
            self.advance()
            name = self.name("a name")
            self.expect("=")
            return S.Let(at, name, self.expression(), const=const)
        if self.is_word("require"):
            self.advance()
            cond = self.expression()
            self.expect_word("else")
            if self.is_word("skip"):
                self.advance()
                reason = None
                if self.tok.is_symbol("("):
                    self.advance()
                    reason = self.string("the reason a rule skips")
                    self.expect(")")
                return S.Require(at, cond, None, reason)
            self.expect_word("fail")
            self.expect("(")
            code = self.integer("a failure code")
            if not 1000 <= code <= 65535:
                self.error("a rule's failure code is 1000...65535")
            self.expect(")")
            return S.Require(at, cond, code)
        if self.is_word("when"):
            self.advance()
            cond = self.expression()
            then = self.block()
            otherwise = []
            if self.is_word("else"):
                self.advance()
                otherwise = self.block()
            return S.When(at, cond, then, otherwise)
        if self.is_word("for"):
            self.advance()
            name = self.name("the loop variable")
            self.expect_word("in")
            items = self.expression()
            return S.For(at, name, items, self.block())
        if self.is_word("emit"):
            self.advance()
            effect = self.name("an effect")
            self.expect("(")
            return S.Emit(at, effect, self.arguments())
        self.error("expected a statement (const, let, require, when, for, emit)")

    def arguments(self):
        """After '(': the arguments up to and including ')'."""
        args = []
        while not self.tok.is_symbol(")"):
            label = param = None
            nxt = self.tokens[min(self.k + 1, len(self.tokens) - 1)]
            if self.tok.kind == "ident" and nxt.is_symbol(":"):
                label = self.tok.value
                self.k += 2
            nxt = self.tokens[min(self.k + 1, len(self.tokens) - 1)]
            if self.tok.kind == "ident" and nxt.is_symbol("=>"):
                param = self.tok.value
                self.k += 2
            pos = self.tok.pos
            args.append(S.Arg(self.expression(), param=param, pos=pos, label=label))
            if len(args) > ARGUMENTS_MAX:
                self.error(f"at most {ARGUMENTS_MAX} arguments")
            if self.tok.is_symbol(","):
                self.advance()
            else:
                break
        self.expect(")")
        return args

    # -- expressions ---------------------------------------------------------------
    def made(self, node):
        """``node`` with its height (CONTRACTS.md §3.1), refused at its own position when
        above HEIGHT_MAX."""
        if isinstance(node, S.Binary):
            parts = [node.left, node.right]
        elif isinstance(node, S.Unary):
            parts = [node.operand]
        elif isinstance(node, S.Field):
            parts = [node.target]
        elif isinstance(node, S.Method):
            parts = [node.target] + [a.value for a in node.args]
        else:
            parts = [a.value for a in node.args]
        node.height = 1 + max((getattr(p, "height", 1) for p in parts), default=0)
        if node.height > HEIGHT_MAX:
            self.error(f"expression is higher than {HEIGHT_MAX} levels", node.pos)
        return node

    def expression(self):
        self.depth += 1
        if self.depth > DEPTH_MAX:
            self.error(f"expression nests deeper than {DEPTH_MAX}")
        e = self.disjunction()
        self.depth -= 1
        return e

    def disjunction(self):
        left = self.conjunction()
        while self.is_word("or"):
            at = self.advance().pos
            left = self.made(S.Binary(at, "or", left, self.conjunction()))
        return left

    def conjunction(self):
        left = self.negation()
        while self.is_word("and"):
            at = self.advance().pos
            left = self.made(S.Binary(at, "and", left, self.negation()))
        return left

    def negation(self):
        ops = []
        while self.is_word("not"):
            ops.append(self.advance().pos)
        e = self.comparison()
        for at in reversed(ops):
            e = self.made(S.Unary(at, "not", e))
        return e

    def comparison(self):
        left = self.additive()
        if self.tok.kind == "symbol" and self.tok.value in COMPARISONS:
            op = self.advance()
            return self.made(S.Binary(op.pos, op.value, left, self.additive()))
        return left

    def additive(self):
        left = self.multiplicative()
        while self.tok.is_symbol("+") or self.tok.is_symbol("-"):
            op = self.advance()
            left = self.made(S.Binary(op.pos, op.value, left, self.multiplicative()))
        return left

    def multiplicative(self):
        left = self.unary()
        while self.tok.is_symbol("*"):
            at = self.advance().pos
            left = self.made(S.Binary(at, "*", left, self.unary()))
        return left

    def unary(self):
        ops = []
        while self.tok.is_symbol("-"):
            ops.append(self.advance().pos)
        e = self.postfix()
        for at in reversed(ops):
            e = self.made(S.Unary(at, "-", e))
        return e

    def postfix(self):
        e = self.primary()
        while self.tok.is_symbol("."):
            at = self.advance().pos
            name = self.name("a field or method name")
            if self.tok.is_symbol("("):
                self.advance()
                e = self.made(S.Method(at, e, name, self.arguments()))
            else:
                e = self.made(S.Field(at, e, name))
        return e

    def primary(self):
        t = self.tok
        if t.kind in ("int", "percent"):
            self.advance()
            return S.IntLit(t.pos, t.value)
        if t.kind == "money":
            self.advance()
            return S.MoneyLit(t.pos, t.value)
        if t.kind == "string":
            self.advance()
            return S.StringLit(t.pos, t.value)
        if t.is_word("true") or t.is_word("false"):
            self.advance()
            return S.BoolLit(t.pos, t.value == "true")
        if t.kind == "ident" and t.value not in KEYWORDS:
            self.advance()
            if self.tok.is_symbol("("):
                self.advance()
                return self.made(S.Call(t.pos, t.value, self.arguments()))
            return S.Name(t.pos, t.value)
        if t.is_symbol("("):
            self.advance()
            e = self.expression()
            self.expect(")")
            return e
        if t.is_symbol("."):
            self.advance()
            return S.EnumLit(t.pos, self.name("an enum case (.gold, .floor…)"))
        self.error("expected an expression")


def parse(source):
    """The ``Rule`` of ``source``; raises ``ContractError`` 1 or 5."""
    return Parser(source).rule()
