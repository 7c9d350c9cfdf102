"""Tokens of the rules language (docs/CONTRACTS.md §2).

The source is read as UTF-8 bytes; a position is a 1-based line and a 1-based column
counted in bytes from the start of its line. Whitespace is space, tab, CR and LF.
Tokens: identifiers ``[A-Za-z_][A-Za-z0-9_]*``; integers (digits and ``_``); money
``S$`` + digits and ``_`` + optionally ``.`` and exactly two digits; percent: digits and
``_`` + optionally ``.`` and at most two digits + ``%``; strings ``"…"`` (one line, no
backslash, at most 256 bytes); the symbols ``..< => == != <= >= { } ( ) [ ] , : . + - * < > =``;
``//`` comments to the end of the line.

A whole source is split into tokens before it is parsed, so a lexical error anywhere
wins over a syntax error. Lexical errors are reported where the scan stopped: a
malformed number after its last digit (after its ``%``), a newline or backslash in a
string at that byte, an unterminated string at the end of the source, an unexpected byte
at that byte; a string over 256 bytes (code 5) at its opening quote; a number over 64
bits (code 5) after the number. A source over 64 KiB is error 1 without a position.
"""

from .errors import PARSE, CONSTANT, ContractError

I64_MAX = 2**63 - 1
SOURCE_MAX = 64 * 1024
STRING_MAX = 256

# Words the grammar reserves: never a name (let, for, field, effect, counter).
KEYWORDS = frozenset({
    "rule", "version", "lang", "priority", "group", "window", "state", "budget", "counter",
    "const", "let", "require", "else", "skip", "fail", "when", "for", "in", "emit", "and", "or",
    "not", "true", "false",
})

# Tried in this order (longest first where one is a prefix of another).
SYMBOLS = [b"..<", b"=>", b"==", b"!=", b"<=", b">=", b"{", b"}", b"(", b")", b"[", b"]", b",", b":",
           b".", b"+", b"-", b"*", b"<", b">", b"="]


class Token:
    """One token: kind ``ident`` (every word, keywords included), ``int``, ``money``,
    ``percent``, ``string``, ``symbol`` or ``eof``; its value; its position."""

    __slots__ = ("kind", "value", "line", "column")

    def __init__(self, kind, value, line, column):
        self.kind = kind
        self.value = value
        self.line = line
        self.column = column

    @property
    def pos(self):
        return (self.line, self.column)

    def is_symbol(self, text):
        return self.kind == "symbol" and self.value == text

    def is_word(self, word):
        return self.kind == "ident" and self.value == word

    def __repr__(self):
        return f"Token({self.kind}, {self.value!r}, {self.line}:{self.column})"


def _letter(b):
    return 65 <= b <= 90 or 97 <= b <= 122


def _digit(b):
    return 48 <= b <= 57


class Lexer:
    def __init__(self, source):
        self.bytes = source.encode("utf-8")
        self.i = 0
        self.line = 1
        self.column = 1

    def fail(self, message, code=PARSE):
        raise ContractError(code, self.line, self.column, message)

    def advance(self, n=1):
        for _ in range(n):
            if self.bytes[self.i] == 0x0A:
                self.line += 1
                self.column = 1
            else:
                self.column += 1
            self.i += 1

    def peek(self, k=0):
        j = self.i + k
        return self.bytes[j] if j < len(self.bytes) else None

    def tokens(self):
        b = self.bytes
        if len(b) > SOURCE_MAX:
            raise ContractError(PARSE, 0, 0, f"source is {len(b)} bytes; at most {SOURCE_MAX}")
        out = []
        while self.i < len(b):
            c = b[self.i]
            if c in (0x20, 0x0A, 0x09, 0x0D):
                self.advance()
                continue
            if c == 0x2F and self.peek(1) == 0x2F:          # //
                while self.i < len(b) and b[self.i] != 0x0A:
                    self.advance()
                continue
            line, column = self.line, self.column
            if _letter(c) or c == 0x5F:
                start = self.i
                while self.i < len(b) and (_letter(b[self.i]) or _digit(b[self.i]) or b[self.i] == 0x5F):
                    self.advance()
                word = b[start:self.i].decode("ascii")
                if word == "S" and self.peek() == 0x24:      # S$
                    self.advance()
                    out.append(Token("money", self.number(money=True)[0], line, column))
                else:
                    out.append(Token("ident", word, line, column))
                continue
            if _digit(c):
                value, percent = self.number(money=False)
                out.append(Token("percent" if percent else "int", value, line, column))
                continue
            if c == 0x22:                                    # "
                out.append(Token("string", self.string(line, column), line, column))
                continue
            for sym in SYMBOLS:
                if b.startswith(sym, self.i):
                    self.advance(len(sym))
                    out.append(Token("symbol", sym.decode("ascii"), line, column))
                    break
            else:
                self.fail(f"unexpected character {bytes([c])!r}")
        out.append(Token("eof", None, self.line, self.column))
        return out

    def number(self, money):
        """Digits with ``_`` (before any fraction), an optional ``.`` + digits, for a
        non-money number an optional ``%``. Returns (value, is_percent)."""
        b = self.bytes
        digits, fraction = [], None
        while self.i < len(b):
            c = b[self.i]
            if _digit(c):
                (digits if fraction is None else fraction).append(c - 48)
            elif c == 0x5F and fraction is None:
                pass
            elif c == 0x2E and fraction is None and self.i + 1 < len(b) and _digit(b[self.i + 1]):
                fraction = []
            else:
                break
            self.advance()
        if not digits:
            self.fail("expected a number")
        percent = not money and self.peek() == 0x25
        if percent:
            self.advance()
        if fraction is not None and not percent and not money:
            self.fail("fractions need % (percent) or S$ (money); integers have none")
        if money and fraction is not None and len(fraction) != 2:
            self.fail("money has exactly two decimals: S$12.30")
        if percent and fraction is not None and len(fraction) > 2:
            self.fail("percent has at most two decimals")
        pad = (2 - len(fraction or [])) if percent else (2 if money and fraction is None else 0)
        value = 0
        for d in digits + (fraction or []) + [0] * pad:
            value = value * 10 + d
            if value > I64_MAX:
                self.fail("number does not fit in 64 bits", CONSTANT)
        return value, percent

    def string(self, line, column):
        b = self.bytes
        self.advance()
        text = bytearray()
        while self.i < len(b) and b[self.i] != 0x22:
            if b[self.i] in (0x0A, 0x5C):
                self.fail("strings are one line without escapes")
            text.append(b[self.i])
            self.advance()
            if len(text) > STRING_MAX:
                raise ContractError(CONSTANT, line, column, f"string over {STRING_MAX} bytes")
        if self.i >= len(b):
            self.fail("unterminated string")
        self.advance()
        return text.decode("utf-8")


def tokenize(source):
    """All tokens of ``source``, the last one ``eof``; raises ``ContractError`` 1 or 5."""
    return Lexer(source).tokens()
