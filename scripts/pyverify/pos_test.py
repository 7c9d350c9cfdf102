#!/usr/bin/env python3
"""Cases of pos.py's tax categories and costed stock receipts (FORMAT.md §13) on hand-encoded
bodies: the version-2 encodings of sale, set-prices, day-close and stock-receive, the decoding
errors (a version-2 body without another category than 1, unknown categories, other-supplies
lists that are empty, hold category 1 or a category twice, versions other bodies lack); the
price, books and sales records written as version 2 exactly when they hold a category other
than 1; pricing (§13.4 step 6: such lines bear no GST and take no part in the per-invoice
GST); the books' "supplies added" for sales, refunds and voids; the day-close comparing the
other supplies; and the stock-receive invoice rules. The demo (run-tests) covers real chains;
these pin the rules a literal reading could get wrong, without the Swift binary.

Usage: python3 scripts/pyverify/pos_test.py   (prints 'N passed, M failed')
"""
import os
import struct
import datetime
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pos  # noqa: E402
from common import Reject, enc_str, u32b, u64b  # noqa: E402

OUTLET = 1
T0 = 1_796_000_000_000  # 2026-12-01 in ms, a block time; transactions use it too


def i64(v): return struct.pack(">q", v)
def u8(v): return bytes([v])
def boolean(v): return bytes([1 if v else 0])


# --- FORMAT.md §13.2 encodings, written here apart from pos.py -------------------------------

def price_entry(sku, category, unit, incl, tax, active=True, version=2):
    return (enc_str(sku) + enc_str(category) + i64(unit) + boolean(incl) + (u8(tax) if version == 2 else b"")
            + boolean(active))


def set_prices(entries, version=2):
    return u8(version) + u32b(len(entries)) + b"".join(price_entry(*e, version=version) for e in entries)


def sale_line(sku, category, qty, unit, incl, tax, discounts, net, gst, version=2):
    return (enc_str(sku) + enc_str(category) + i64(qty) + i64(unit) + boolean(incl) + (u8(tax) if version == 2 else b"")
            + u32b(len(discounts)) + b"".join(enc_str(r) + i64(a) for r, a in discounts) + i64(net) + i64(gst))


def card(amount):
    return (u8(3) + i64(amount) + enc_str("T1") + enc_str("A1") + enc_str("R1") + enc_str("4111********1111")
            + enc_str("VISA"))


def sale_body(receipt, lines, rate, subtotal, discount, gst, total, tenders, version=2, training=False, member="",
              record=None):
    """lines: (sku, category, qty, unit, incl, tax, discounts, net, gst); record: (reward points, tier,
    [(rule, counter, member, by)]) makes it version 3."""
    if record is not None:
        version = 3
    tail = b""
    if record is not None:
        reward, tier, moves = record
        tail = i64(reward) + u8(tier) + u32b(len(moves)) + b"".join(
            enc_str(r) + enc_str(c) + enc_str(m) + i64(by) for r, c, m, by in moves)
    return (u8(version) + u64b(receipt) + boolean(training) + enc_str(member) + u32b(len(lines))
            + b"".join(sale_line(*l, version=min(version, 2)) for l in lines) + u32b(rate)
            + b"".join(i64(v) for v in (subtotal, discount, gst, total, 0, 0, 0)) + u32b(len(tenders)) + b"".join(tenders)
            + tail)


def refund_body(original, number, lines, rate, amount, gst, tenders):
    return (u8(1) + original + u64b(number) + enc_str("returned") + boolean(True) + u32b(len(lines))
            + b"".join(u32b(i) + i64(q) + i64(a) + i64(g) for i, q, a, g in lines) + u32b(rate) + i64(amount) + i64(gst)
            + i64(0) + u32b(len(tenders)) + b"".join(tenders))


def period_totals(counts, rates, tenders, grand, other=None):
    """counts: the nine i64; other: None (version 1) or [(category, amount)]."""
    out = b"".join(i64(v) for v in counts)
    out += u32b(len(rates)) + b"".join(u32b(bp) + i64(a) + i64(g) for bp, a, g in rates)
    out += u32b(len(tenders)) + b"".join(u8(k) + i64(a) for k, a in tenders)
    out += b"".join(i64(v) for v in grand)
    if other is not None:
        out += u32b(len(other)) + b"".join(u8(c) + i64(a) for c, a in other)
    return out


def day_close(z, date, counts, rates, tenders, grand, other=None):
    return u8(1 if other is None else 2) + u64b(z) + enc_str(date) + period_totals(counts, rates, tenders, grand, other)


def receive_v2(reference, lines, supplier, input_gst):
    return (u8(2) + enc_str(reference) + u32b(len(lines)) + b"".join(enc_str(s) + i64(q) + i64(c) for s, q, c in lines)
            + enc_str(supplier) + i64(input_gst))


def receive_v1(reference, lines):
    return u8(1) + enc_str(reference) + u32b(len(lines)) + b"".join(enc_str(s) + i64(q) for s, q in lines)


# --- a one-outlet state machine ---------------------------------------------------------------

class State(dict):
    def put(self, key, value):
        if value is None:
            self.pop(key, None)
        else:
            self[key] = value


def genesis(method):
    return {"gst_rates": [("2024-01-01", 900)], "gst_method": method, "outlets": [(1, "one", b"\0" * 32)]}


class Machine:
    def __init__(self, method=2):
        self.state, self.g, self.n = State(), genesis(method), 0

    def apply(self, kind, body, role=pos.ROLE_OPERATOR, principal="manager"):
        """Applies one body on a copy; keeps it only when accepted. Returns the rule code (0: accepted)."""
        self.n += 1
        scratch = State(self.state)
        ctx = pos.Context(scratch, self.g, OUTLET, {"role": role, "principal": principal}, b"\1" * 32,
                          bytes([self.n]) * 32, T0)
        ctx.block_time, ctx.height = T0, self.n
        try:
            pos.apply(ctx, kind, body)
        except Reject as rejection:
            return rejection.code
        self.state = scratch
        return 0

    def till(self, kind, body):
        return self.apply(kind, body, pos.ROLE_TILL, "till-01")


def main():
    passed = failed = 0

    def check(name, ok):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAILED: {name}")

    def decodes(kind, body):
        try:
            pos.decode(kind, body)
            return True
        except (ValueError, UnicodeDecodeError):
            return False

    # Decoding.
    entries = [("APPLE", "fruit", 109, True, 1), ("EXPORT", "goods", 2500, False, 2)]
    check("set-prices v2 decodes, categories in place", pos.decode(pos.SET_PRICES, set_prices(entries)) == [
        ("APPLE", "fruit", 109, True, 1, True), ("EXPORT", "goods", 2500, False, 2, True)])
    check("set-prices v1: every entry SR", pos.decode(pos.SET_PRICES, set_prices(entries[:1], version=1)) == [
        ("APPLE", "fruit", 109, True, 1, True)])
    check("set-prices v2 with only SR entries is a decoding error", not decodes(pos.SET_PRICES, set_prices(entries[:1])))
    check("tax category 0 and 5 are decoding errors",
          not decodes(pos.SET_PRICES, set_prices([("X", "", 1, True, 0)]))
          and not decodes(pos.SET_PRICES, set_prices([("X", "", 1, True, 5)])))
    check("set-prices version 3 is a decoding error", not decodes(pos.SET_PRICES, b"\x03" + set_prices(entries)[1:]))
    check("a version-2 body of another type is a decoding error",
          not decodes(pos.SHIFT_OPEN, u8(2) + i64(0)) and not decodes(pos.REFUND, b"\x02" + refund_body(
              b"\0" * 32, 1, [(0, 1, 1, 0)], 900, 1, 0, [card(1)])[1:]) and decodes(pos.SHIFT_OPEN, u8(1) + i64(0)))
    zr_line = ("EXPORT", "goods", 1, 2500, False, 2, [], 2500, 0)
    sr_line = ("APPLE", "fruit", 1, 109, True, 1, [], 109, 9)
    body = sale_body(1, [sr_line, zr_line], 900, 2609, 0, 9, 2609, [card(2609)])
    decoded = pos.decode(pos.SALE, body)
    check("sale v2 decodes with each line's category", [l["tax"] for l in decoded["lines"]] == [1, 2]
          and decoded["lines"][1]["net"] == 2500)
    check("sale v2 with only SR lines is a decoding error",
          not decodes(pos.SALE, sale_body(1, [sr_line], 900, 109, 0, 9, 109, [card(109)])))
    check("sale v1: lines are SR", [l["tax"] for l in pos.decode(pos.SALE, sale_body(
        1, [sr_line], 900, 109, 0, 9, 109, [card(109)], version=1))["lines"]] == [1])
    counts, grand = (1, 2609, 0, 0, 0, 0, 0, 0, 0), (2609, 0, 0)
    ok_close = day_close(1, "2026-12-01", counts, [(900, 109, 9)], [(3, 2609)], grand, [(2, 2500)])
    check("day-close v2 decodes its other supplies", pos.decode(pos.DAY_CLOSE, ok_close)[2]["other"] == [[2, 2500]])
    check("day-close v1: no other supplies",
          pos.decode(pos.DAY_CLOSE, day_close(1, "2026-12-01", counts, [], [], grand))[2]["other"] == [])
    for name, other in (("empty", []), ("category 1", [(1, 5)]), ("a category twice", [(2, 5), (2, 6)]),
                        ("category 5", [(5, 1)]), ("four entries", [(2, 1), (3, 1), (4, 1), (2, 1)])):
        check(f"day-close v2 other supplies {name}: decoding error",
              not decodes(pos.DAY_CLOSE, day_close(1, "2026-12-01", counts, [], [], grand, other)))
    r = pos.decode(pos.RECEIVE, receive_v2("DO-1", [("APPLE", 10, 50)], "Acme", 45))
    check("stock-receive v2 decodes: stock lines and invoice", r == ("DO-1", [("APPLE", 10)], {
        "lines": [("APPLE", 10, 50)], "supplier": "Acme", "input_gst": 45}))
    check("stock-receive v1 decodes without an invoice",
          pos.decode(pos.RECEIVE, receive_v1("DO-1", [("APPLE", 10)])) == ("DO-1", [("APPLE", 10)], None))
    check("a version-2 stock-receive is not read as version 1",
          not decodes(pos.RECEIVE, b"\x02" + receive_v1("DO-1", [("APPLE", 10)])[1:]))

    # Prices: records of version 2 exactly when not SR.
    m = Machine()
    catalogue = [("APPLE", "fruit", 109, True, 1), ("PEAR", "fruit", 545, True, 1), ("TV", "tv", 10000, False, 1),
                 ("EXPORT", "goods", 2500, False, 2), ("GIFT", "cards", 2000, True, 3), ("DONATION", "misc", 300, True, 4)]
    check("set-prices v2 accepted", m.apply(pos.SET_PRICES, set_prices(catalogue)) == 0)
    check("an SR price record is version 1", m.state[pos.k_price(1, "APPLE")] == b"\x01" + enc_str("fruit") + i64(109)
          + b"\x01\x01")
    check("a ZR price record is version 2 with the category before active",
          m.state[pos.k_price(1, "EXPORT")] == b"\x02" + enc_str("goods") + i64(2500) + b"\x00\x02\x01")
    check("price records read back", pos.get_price(m.state, 1, "GIFT") == ("cards", 2000, True, True, 3))
    bad = dict(m.state)
    bad[pos.k_price(1, "APPLE")] = b"\x02" + enc_str("fruit") + i64(109) + b"\x01\x01\x01"
    try:
        pos.get_price(bad, 1, "APPLE")
        check("a version-2 price record of category 1 does not decode", False)
    except ValueError:
        check("a version-2 price record of category 1 does not decode", True)
    check("shift-open", m.till(pos.SHIFT_OPEN, u8(1) + i64(0)) == 0)

    # Pricing, per invoice at 9 %: APPLE + PEAR SR including (T = tax(654) = 54, split 9 / 45),
    # TV SR excluding (900), EXPORT ZR excluding, GIFT ES and DONATION OS including: no GST.
    # Were the ZR/ES/OS lines taxed together with the SR ones, the including T would be 266.
    lines = [("APPLE", "fruit", 1, 109, True, 1, [], 109, 9), ("PEAR", "fruit", 1, 545, True, 1, [], 545, 45),
             ("TV", "tv", 1, 10000, False, 1, [], 10000, 900), ("EXPORT", "goods", 2, 2500, False, 2, [], 5000, 0),
             ("GIFT", "cards", 1, 2000, True, 3, [], 2000, 0), ("DONATION", "misc", 1, 300, True, 4, [], 300, 0)]
    subtotal = 109 + 545 + 10000 + 5000 + 2000 + 300
    total = 109 + 545 + 10900 + 5000 + 2000 + 300
    body = sale_body(1, lines, 900, subtotal, 0, 954, total, [card(total)])
    check("pricing: ZR, ES, OS lines bear no GST and stay out of the per-invoice sums",
          m.till(pos.SALE, body) == 0)
    sale_id = bytes([m.n]) * 32
    books = pos.get_books(m.state, 1)
    check("books: the rate totals only the SR lines", books["period"]["rates"] == [[900, 109 + 545 + 10900, 954]])
    check("books: other supplies per category, ascending", books["period"]["other"] == [[2, 5000], [3, 2000], [4, 300]])
    raw = m.state[pos.k_books(1)]
    check("books record: version 2, the other supplies after the grand totals",
          raw[0] == 2 and raw.endswith(u32b(3) + u8(2) + i64(5000) + u8(3) + i64(2000) + u8(4) + i64(300)))
    raw = m.state[pos.k_sale(sale_id)]
    check("sale record: version 2, each line's category after its SKU",
          raw[0] == 2 and enc_str("EXPORT") + u8(2) + i64(2) + i64(5000) in raw
          and enc_str("APPLE") + u8(1) + i64(1) + i64(109) in raw)
    check("sale record reads back", [l[7] for l in pos.get_sale(m.state, sale_id)["lines"]] == [1, 1, 1, 2, 3, 4])

    m2 = Machine(method=1)
    m2.apply(pos.SET_PRICES, set_prices(catalogue))
    m2.till(pos.SHIFT_OPEN, u8(1) + i64(0))
    check("pricing per line: ZR line GST 0", m2.till(pos.SALE, sale_body(
        1, [lines[0], lines[3]], 900, 5109, 0, 9, 5109, [card(5109)])) == 0)
    check("pricing: GST on a ZR line is 302", m2.till(pos.SALE, sale_body(
        2, [lines[0], ("EXPORT", "goods", 2, 2500, False, 2, [], 5000, 450)], 900, 5109, 0, 459, 5559,
        [card(5559)])) == 302)
    check("pricing: a ZR item sold in a version-1 body (as SR) is 301", m2.till(pos.SALE, sale_body(
        2, [("EXPORT", "goods", 1, 2500, False, 1, [], 2500, 225)], 900, 2500, 0, 225, 2725, [card(2725)],
        version=1)) == 301)
    check("pricing: an SR item recorded as ZR is 301", m2.till(pos.SALE, sale_body(
        2, [("APPLE", "fruit", 1, 109, True, 2, [], 109, 0)], 900, 109, 0, 0, 109, [card(109)])) == 301)
    check("sale of ZR lines alone: no rate entry",
          m2.till(pos.SALE, sale_body(2, [lines[4]], 900, 2000, 0, 0, 2000, [card(2000)])) == 0
          and pos.get_books(m2.state, 1)["period"]["rates"] == [[900, 109, 9]]
          and pos.get_books(m2.state, 1)["period"]["other"] == [[2, 5000], [3, 2000]])
    es_sale = bytes([m2.n]) * 32

    # Refund of one EXPORT unit (ZR) and the APPLE (SR): each taken back under its own entry.
    refund = refund_body(sale_id, 1, [(3, 1, 2500, 0), (0, 1, 109, 9)], 900, 2609, 9, [card(2609)])
    check("refund of a ZR and an SR line", m.till(pos.REFUND, refund) == 0)
    p = pos.get_books(m.state, 1)["period"]
    check("refund: SR back at the rate, ZR back from the other supplies",
          p["rates"] == [[900, 11554 - 109, 954 - 9]] and p["other"] == [[2, 2500], [3, 2000], [4, 300]])
    m3 = Machine()
    m3.apply(pos.SET_PRICES, set_prices(catalogue))
    m3.till(pos.SHIFT_OPEN, u8(1) + i64(0))
    m3.till(pos.SALE, sale_body(1, [lines[0]], 900, 109, 0, 9, 109, [card(109)], version=1))
    m3.apply(pos.SHIFT_CLOSE, u8(1) + i64(0) * 3, pos.ROLE_TILL, "till-01")
    p = pos.get_books(m3.state, 1)["period"]
    counts = tuple(p[k] for k in ("sales_count", "sales_total", "discount_total", "rounding_total", "refunds_count",
                                  "refunds_total", "voids_count", "voids_total", "training_count"))
    check("an SR-only period closes with a version-1 day-close", m3.apply(pos.DAY_CLOSE, day_close(
        1, "2026-12-01", counts, [(900, 109, 9)], [(3, 109)], (109, 0, 0))) == 0 and m3.state[pos.k_books(1)][0] == 1)
    m3.till(pos.SHIFT_OPEN, u8(1) + i64(0))
    m3.till(pos.SALE, sale_body(2, [lines[5]], 900, 300, 0, 0, 300, [card(300)]))
    sale_os = bytes([m3.n]) * 32
    check("refund of an OS line alone: no rate entry is created", m3.till(pos.REFUND, refund_body(
        sale_os, 1, [(0, 1, 300, 0)], 900, 300, 0, [card(300)])) == 0
        and pos.get_books(m3.state, 1)["period"]["rates"] == []
        and pos.get_books(m3.state, 1)["period"]["other"] == [[4, 0]])

    # Void of the ES sale on the per-line machine: the ES amount leaves, the entry stays.
    check("void of an ES sale", m2.till(pos.VOID, u8(1) + es_sale + enc_str("wrong item")) == 0)
    p = pos.get_books(m2.state, 1)["period"]
    check("void: the other supplies taken back, the entry kept at 0, the rate untouched",
          p["other"] == [[2, 5000], [3, 0]] and p["rates"] == [[900, 109, 9]])

    # Day-close: the other supplies are compared; afterwards the books are version 1 again.
    m2.apply(pos.SHIFT_CLOSE, u8(1) + i64(0) * 3, pos.ROLE_TILL, "till-01")
    counts = tuple(p[k] for k in ("sales_count", "sales_total", "discount_total", "rounding_total", "refunds_count",
                                  "refunds_total", "voids_count", "voids_total", "training_count"))
    grand = (p["grand_sales"], p["grand_refunds"], p["grand_voids"])
    rates, tenders = [tuple(e) for e in p["rates"]], [tuple(e) for e in p["tenders"]]
    check("day-close v1 while the books hold other supplies: 317",
          m2.apply(pos.DAY_CLOSE, day_close(1, "2026-12-01", counts, rates, tenders, grand)) == 317)
    check("day-close v2 with a differing other-supplies amount: 317", m2.apply(pos.DAY_CLOSE, day_close(
        1, "2026-12-01", counts, rates, tenders, grand, [(2, 5000), (3, 1)])) == 317)
    check("day-close v2 without the zero entry: 317", m2.apply(pos.DAY_CLOSE, day_close(
        1, "2026-12-01", counts, rates, tenders, grand, [(2, 5000)])) == 317)
    check("day-close v2 with the books' other supplies", m2.apply(pos.DAY_CLOSE, day_close(
        1, "2026-12-01", counts, rates, tenders, grand, [(2, 5000), (3, 0)])) == 0)
    check("after the close the books record is version 1",
          m2.state[pos.k_books(1)][0] == 1 and pos.get_books(m2.state, 1)["period"]["other"] == [])
    check("a malformed day-close is rule 1", m2.apply(pos.DAY_CLOSE, day_close(
        2, "2026-12-02", (0,) * 9, [], [], grand, [])) == 1)

    # Stock-receive version 2.
    s = Machine()
    s.apply(pos.SET_PRICES, set_prices(catalogue))
    check("costed receipt accepted, stock += quantity",
          s.apply(pos.RECEIVE, receive_v2("DO-1", [("APPLE", 10, 50), ("EXPORT", 3, 1200)], "Acme Pte Ltd", 369)) == 0
          and pos.stock(s.state, 1, "APPLE") == 10 and pos.stock(s.state, 1, "EXPORT") == 3)
    check("nothing else is written", sorted(k[:1] for k in s.state if k[:1] not in (b"\x10",)) == [b"\x11", b"\x11"])
    check("a till may receive", s.till(pos.RECEIVE, receive_v2("DO-2", [("APPLE", 1, 0)], "Acme", 0)) == 0)
    for name, body, code in (
            ("an empty reference", receive_v2("", [("APPLE", 1, 50)], "Acme", 0), 17),
            ("an empty supplier", receive_v2("DO", [("APPLE", 1, 50)], "", 0), 17),
            ("a supplier of 129 bytes", receive_v2("DO", [("APPLE", 1, 50)], "x" * 129, 0), 1),
            ("a supplier with a control character", receive_v2("DO", [("APPLE", 1, 50)], "Acme\n", 0), 17),
            ("a unit cost above 100 000 000", receive_v2("DO", [("APPLE", 1, 100_000_001)], "Acme", 0), 17),
            ("a negative unit cost", receive_v2("DO", [("APPLE", 1, -1)], "Acme", 0), 17),
            ("an invoice value above 10^12", receive_v2("DO", [("APPLE", 10_000_000, 100_000_000)], "Acme", 0), 17),
            ("a negative input GST", receive_v2("DO", [("APPLE", 1, 50)], "Acme", -1), 17),
            ("input GST above 10^12", receive_v2("DO", [("APPLE", 1, 50)], "Acme", 10 ** 12 + 1), 17),
            ("no lines", receive_v2("DO", [], "Acme", 0), 17),
            ("an unpriced SKU (before the supplier)", receive_v2("DO", [("NOPE", 1, 50)], "", 0), 300),
            ("a SKU twice", receive_v2("DO", [("APPLE", 1, 50), ("APPLE", 1, 50)], "Acme", 0), 17),
            ("quantity 0", receive_v2("DO", [("APPLE", 0, 50)], "Acme", 0), 17)):
        check(f"stock-receive v2: {name} is {code}", s.apply(pos.RECEIVE, body) == code)
    check("stock-receive v2: invoice value and input GST of exactly 10^12 pass", s.apply(pos.RECEIVE, receive_v2(
        "DO-3", [("APPLE", 10_000, 100_000_000)], "Acme", 10 ** 12)) == 0)
    check("stock-receive v2: an admin is 10 (operator or till only)",
          s.apply(pos.RECEIVE, receive_v2("DO-4", [("APPLE", 1, 5)], "Acme", 0), pos.ROLE_ADMIN, "admin") == 10)

    # Deployed rules (§13.4 step 4, §13.5 deploy-rule): compiled by scripts/pyverify/rules.
    r = Machine()
    r.apply(pos.SET_PRICES, set_prices([("CHIPS", "snacks", 100, True, 1)], version=1))
    r.till(pos.SHIFT_OPEN, u8(1) + i64(0))
    b2g1 = ('rule "promo.b2g1" version 1 { budget given: counter max 10 '
            'let units = basket.lines.filter(l => l.category == "snacks").expand(l => l.qty).sort_by(u => u.price) '
            'let free = div(units.count(), 3, .floor) require free > 0 else skip '
            'for u in units.take(free) { emit line_discount(u.line, u.price, "B2G1") } emit increment(given, free) }')

    def deploy(source, active=T0):
        return u8(1) + enc_str(source) + u64b(active)

    check("deploy-rule by an operator is 10", r.apply(pos.DEPLOY_RULE, deploy(b2g1)) == 10)
    check("a rule that does not compile is 321", r.apply(pos.DEPLOY_RULE, deploy("rule \"x\" version 1 {"), pos.ROLE_ADMIN) == 321)
    check("deploy-rule by an admin accepted", r.apply(pos.DEPLOY_RULE, deploy(b2g1), pos.ROLE_ADMIN) == 0)
    check("the rule index and record are written", r.state[b"\x19"] == u32b(1) + enc_str("promo.b2g1")
          and r.state[b"\x19promo.b2g1"][:17] == u8(1) + i64(1) + u64b(T0))
    check("the same version again is 321", r.apply(pos.DEPLOY_RULE, deploy(b2g1), pos.ROLE_ADMIN) == 321)
    three = ("CHIPS", "snacks", 3, 100, True, 1, [("promo.b2g1", 100)], 200, 17)
    check("a sale without the rule's discount is 302", r.till(pos.SALE, sale_body(
        1, [three[:6] + ([], 300, 25)], 900, 300, 0, 25, 300, [card(300)], version=1)) == 302)
    check("a sale with the discount but without the rule record (version 1) is 302", r.till(pos.SALE, sale_body(
        1, [three], 900, 300, 100, 17, 200, [card(200)], version=1)) == 302)
    check("a rule record with the wrong counter move is 302", r.till(pos.SALE, sale_body(
        1, [three], 900, 300, 100, 17, 200, [card(200)], record=(0, 0, [("promo.b2g1", "given", "", 2)]))) == 302)
    check("a version-3 sale with an empty rule record is 1", r.till(pos.SALE, sale_body(
        1, [three], 900, 300, 100, 17, 200, [card(200)], record=(0, 0, []))) == 1)
    check("a sale with the rule's discount and its record (version 3) is accepted", r.till(pos.SALE, sale_body(
        1, [three], 900, 300, 100, 17, 200, [card(200)], record=(0, 0, [("promo.b2g1", "given", "", 1)]))) == 0)
    check("the rule's counter moved", r.state.get(b"\x1apromo.b2g1\x00given\x00") == i64(1))
    later = deploy(b2g1.replace("version 1", "version 2"), active=T0 + 1)
    check("a higher version deploys", r.apply(pos.DEPLOY_RULE, later, pos.ROLE_ADMIN) == 0)
    check("a rule not yet active prices nothing", r.till(pos.SALE, sale_body(
        2, [three[:6] + ([], 300, 25)], 900, 300, 0, 25, 300, [card(300)], version=1)) == 0)
    refusing = 'rule "a.refuse" version 1 { require false else fail(2001) }'
    check("a refusing rule deploys", r.apply(pos.DEPLOY_RULE, deploy(refusing), pos.ROLE_ADMIN) == 0)
    check("its fail(2001) refuses every sale with 321", r.till(pos.SALE, sale_body(
        3, [three[:6] + ([], 300, 25)], 900, 300, 0, 25, 300, [card(300)], version=1)) == 321)

    # Configure version 2: the earning choice (§13.2, §13.4 step 9).
    def configure(version, earning=None):
        return (u8(version) + i64(1) + i64(1) + i64(12) + boolean(False) + boolean(True)
                + (boolean(earning) if earning is not None else b""))
    check("configure v1 is earning automatic", pos.decode(pos.CONFIGURE, configure(1))["earning"] == "automatic")
    check("configure v2 true is built-in plus rules, false rules only",
          pos.decode(pos.CONFIGURE, configure(2, True))["earning"] == "built-in-plus-rules"
          and pos.decode(pos.CONFIGURE, configure(2, False))["earning"] == "rules-only")
    check("configure v2 without its boolean, v1 with one, and v3 are decoding errors",
          not decodes(pos.CONFIGURE, configure(2)) and not decodes(pos.CONFIGURE, configure(1, True))
          and not decodes(pos.CONFIGURE, configure(3, True)))
    check("a v2 configure is stored as it was signed", r.apply(pos.CONFIGURE, configure(2, False), pos.ROLE_ADMIN) == 0
          and r.state[pos.K_SETTINGS] == configure(2, False) and pos.get_settings(r.state)["earning"] == "rules-only")
    check("back to automatic stores version 1", r.apply(pos.CONFIGURE, configure(1), pos.ROLE_ADMIN) == 0
          and r.state[pos.K_SETTINGS] == configure(1))

    # Configure version 3: the expiry rounding (§13.2, §13.3 Expiry day), dates by hand.
    def configure3(earning, expiry):
        return u8(3) + i64(1) + i64(1) + i64(12) + boolean(False) + boolean(True) + u8(earning) + u8(expiry)
    check("configure v3 reads the earning mode and the rounding",
          pos.decode(pos.CONFIGURE, configure3(2, 3)) == {"point_value": 1, "ppd": 1, "months": 12, "tender": False,
                                                           "rounding": True, "earning": "built-in-plus-rules", "expiry": "quarter"})
    check("configure v3 with end-of-month expiry (v1/v2's), earning 0 or 4, rounding 0 or 5 are decoding errors",
          not any(decodes(pos.CONFIGURE, configure3(e, x)) for e, x in [(1, 2), (0, 1), (4, 1), (1, 0), (1, 5)]))
    check("a v3 configure is stored as it was signed", r.apply(pos.CONFIGURE, configure3(3, 4), pos.ROLE_ADMIN) == 0
          and r.state[pos.K_SETTINGS] == configure3(3, 4) and pos.get_settings(r.state)["expiry"] == "year"
          and pos.enc_settings(pos.get_settings(r.state)) == configure3(3, 4))

    def day(iso):
        return (datetime.date.fromisoformat(iso) - datetime.date(1970, 1, 1)).days

    def noon(iso):                                    # 12:00 in Singapore on that date
        return day(iso) * 86_400_000 + 4 * 3_600_000
    expected = [("2026-03-15", 12, "day", "2027-03-15"), ("2026-03-15", 12, "month", "2027-03-31"),
                ("2026-03-15", 12, "quarter", "2027-03-31"), ("2026-03-15", 12, "year", "2027-12-31"),
                ("2026-01-31", 1, "day", "2026-02-28"), ("2027-12-31", 2, "day", "2028-02-29"),
                ("2026-05-10", 12, "quarter", "2027-06-30"), ("2026-11-30", 1, "quarter", "2026-12-31"),
                ("2026-12-01", 1, "year", "2027-12-31"), ("2026-12-01", 1, "month", "2027-01-31")]
    check("expiry days by hand", all(pos.expiry_day(noon(earned), m, rounding) == day(want) for earned, m, rounding, want in expected))

    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
