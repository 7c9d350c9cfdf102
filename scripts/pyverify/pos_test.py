#!/usr/bin/env python3
"""Cases of pos.py's tax categories and costed stock receipts (FORMAT.md §13) on hand-encoded
bodies: the version-2 encodings of sale, set-prices, day-close and stock-receive, the decoding
errors (a version-2 body without another category than 1, unknown categories, other-supplies
lists that are empty, hold category 1 or a category twice, versions other bodies lack); the
price, books and sales records written as version 2 exactly when they hold a category other
than 1; pricing (§13.4 step 6: such lines bear no GST and take no part in the per-invoice
GST); the books' "supplies added" for sales, refunds and voids; the day-close comparing the
other supplies; the stock-receive invoice rules; and re-priced returns (configure version 4,
refund version 2's adjustments, the rule sets, rule sources and sale pricing records, the kept
basket re-priced from the record's snapshot, the capping rule, counters moved back by refunds
and voids); and skip reasons (sale version 4: decoding, the reasons §13.4 step 4 computes, cut
on a whole UTF-8 character, none in training, compared as 302, none from re-pricing); and promotion codes (sale
version 5: decoding, its one encoding, step 4's codes check as 17, the rules seeing the codes, the sale pricing
record of version 2, the kept basket re-priced with the record's codes); and coupons (issue-coupons: decoding, its
refusals and records; step 4's codes check of coupons; a sale using and issuing them, none in training; voids
resetting and deleting them; the kept basket re-priced with the coupons the sale used); and gift cards and member
e-wallets (gift-card-load: decoding, its refusals in their order, the card and shift records, cash in the drawer and
nothing in the books; voucher tenders that are gift cards: the member, the balance, twice in a sale, no `vouchers`
entry at a sale, refund or void, the balance back on a refund and a void); and tier review (configure version 5:
decoding, its one encoding; member records of version 2; add(x, n) and the review itself: one tier down, n - 1
more, at most 1200 periods; sales, refunds and voids under review; a period kept without review). The demo (run-tests)
covers real chains; these pin the rules a literal reading could get wrong, without the Swift binary.

Usage: python3 scripts/pyverify/pos_test.py   (prints 'N passed, M failed')
"""
import hashlib
import os
import struct
import datetime
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pos  # noqa: E402
from common import Reject, enc_str, u32b, u64b  # noqa: E402
from checks import Checks

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
              record=None, earned=0, redeemed=0, skipped=None, codes=None):
    """lines: (sku, category, qty, unit, incl, tax, discounts, net, gst); record: (reward points, tier,
    [(rule, counter, member, by)]) makes it version 3; skipped: [(rule id, reason)] (even when empty)
    makes it version 4, with the record or an empty one (0, 0, no moves); codes: [code] (even when
    empty) makes it version 5, with the record and the skip list (each possibly empty)."""
    if record is not None:
        version = 3
    if skipped is not None:
        version = 4
        record = record or (0, 0, [])
    if codes is not None:
        version = 5
        record, skipped = record or (0, 0, []), skipped or []
    tail = b""
    if record is not None:
        reward, tier, moves = record
        tail = i64(reward) + u8(tier) + u32b(len(moves)) + b"".join(
            enc_str(r) + enc_str(c) + enc_str(m) + i64(by) for r, c, m, by in moves)
    if skipped is not None:
        tail += u32b(len(skipped)) + b"".join(enc_str(rule) + enc_str(reason) for rule, reason in skipped)
    if codes is not None:
        tail += u32b(len(codes)) + b"".join(enc_str(code) for code in codes)
    return (u8(version) + u64b(receipt) + boolean(training) + enc_str(member) + u32b(len(lines))
            + b"".join(sale_line(*l, version=min(version, 2)) for l in lines) + u32b(rate)
            + b"".join(i64(v) for v in (subtotal, discount, gst, total, 0, redeemed, earned)) + u32b(len(tenders))
            + b"".join(tenders) + tail)


def refund_body(original, number, lines, rate, amount, gst, tenders, reversed_points=0, adjustments=None):
    """adjustments: None (version 1) or [(line index, amount, GST)] (version 2, even when empty)."""
    tail = b""
    if adjustments is not None:
        tail = u32b(len(adjustments)) + b"".join(u32b(i) + i64(a) + i64(g) for i, a, g in adjustments)
    return (u8(1 if adjustments is None else 2) + original + u64b(number) + enc_str("returned") + boolean(True)
            + u32b(len(lines)) + b"".join(u32b(i) + i64(q) + i64(a) + i64(g) for i, q, a, g in lines) + u32b(rate)
            + i64(amount) + i64(gst) + i64(reversed_points) + u32b(len(tenders)) + b"".join(tenders) + tail)


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
    written = None          # the keys put, in order, when a list

    def put(self, key, value):
        if self.written is not None:
            self.written.append(key)
        if value is None:
            self.pop(key, None)
        else:
            self[key] = value


def genesis(method):
    return {"gst_rates": [("2024-01-01", 900)], "gst_method": method, "outlets": [(1, "one", b"\0" * 32)]}


class Machine:
    def __init__(self, method=2):
        self.state, self.g, self.n = State(), genesis(method), 0
        self.time = T0      # the transactions' time and their block's time (ms)

    def apply(self, kind, body, role=pos.ROLE_OPERATOR, principal="manager"):
        """Applies one body on a copy; keeps it only when accepted. Returns the rule code (0: accepted)."""
        self.n += 1
        scratch = State(self.state)
        scratch.written = self.written = []
        ctx = pos.Context(scratch, self.g, OUTLET, {"role": role, "principal": principal}, b"\1" * 32,
                          bytes([self.n]) * 32, self.time)
        ctx.block_time, ctx.height = self.time, self.n
        try:
            pos.apply(ctx, kind, body)
        except Reject as rejection:
            return rejection.code
        scratch.written = None
        self.state = scratch
        return 0

    def till(self, kind, body):
        return self.apply(kind, body, pos.ROLE_TILL, "till-01")

# --- re-priced returns (FORMAT.md §13.2 configure v4 and refund v2, §13.3 0x20-0x22, §13.5) --

CONTRACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Contracts")


def contract(name):
    with open(os.path.join(CONTRACTS, name), encoding="utf-8") as f:
        return f.read()


def configure4(point_value=1, ppd=1, earning=2, expiry=2, returns=2, months=12, tender=False, rounding=True):
    return (u8(4) + i64(point_value) + i64(ppd) + i64(months) + boolean(tender) + boolean(rounding) + u8(earning)
            + u8(expiry) + u8(returns))


def deploy(source, active=T0):
    return u8(1) + enc_str(source) + u64b(active)


def point_rates(entries, reason="oracle"):
    return u8(1) + u32b(len(entries)) + b"".join(enc_str(c) + i64(bp) for c, bp in entries) + enc_str(reason)


def multiplier(member, bp):
    return u8(1) + enc_str(member) + i64(bp) + enc_str("vip")


def rule_set_bytes(entries):
    """0x20's value: list of (rule id, source hash), no version byte."""
    return u32b(len(entries)) + b"".join(enc_str(i) + h for i, h in entries)


def pricing_bytes(t, rule_set, tier, spend, balance, personal, earning, ppd, point_value, lines, rates, counters, moves,
                  codes=None):
    """0x22's value (version 1; version 2 with `codes`, even when empty), written here apart from pos.py."""
    def quads(entries):
        return u32b(len(entries)) + b"".join(enc_str(a) + enc_str(b) + enc_str(c) + i64(v) for a, b, c, v in entries)
    return (u8(1 if codes is None else 2) + i64(t) + rule_set + u8(tier) + i64(spend) + i64(balance) + i64(personal)
            + u8(earning) + i64(ppd) + i64(point_value) + u32b(len(lines)) + b"".join(enc_str(c) + i64(u) + boolean(x) for c, u, x in lines)
            + u32b(len(rates)) + b"".join(enc_str(c) + i64(bp) for c, bp in rates) + quads(counters) + quads(moves)
            + (b"" if codes is None else u32b(len(codes)) + b"".join(enc_str(code) for code in codes)))


def counter(state, rule, name, member=""):
    raw = state.get(b"\x1a" + rule.encode() + b"\x00" + name.encode() + b"\x00" + member.encode())
    return None if raw is None else struct.unpack(">q", raw)[0]


def repriced_returns(check, decodes):
    import hashlib
    sha = lambda b: hashlib.sha256(b).digest()  # noqa: E731

    # Decoding: configure version 4, refund version 2.
    check("configure v4 reads earning, any expiry rounding (end of month too) and re-priced returns",
          pos.decode(pos.CONFIGURE, configure4(earning=3, expiry=2)) == {
              "point_value": 1, "ppd": 1, "months": 12, "tender": False, "rounding": True, "earning": "rules-only",
              "expiry": "month", "returns": "re-priced", "review": 0}
          and pos.decode(pos.CONFIGURE, configure4(expiry=1))["expiry"] == "day"
          and pos.decode(pos.CONFIGURE, configure4(expiry=4))["expiry"] == "year")
    check("configure v4 with returns 1 (proportional, versions 1-3's), 0 or 3 is a decoding error",
          not any(decodes(pos.CONFIGURE, configure4(returns=v)) for v in (0, 1, 3)))
    check("configure v4 with earning 0 or 4, expiry rounding 0 or 5 is a decoding error",
          not any(decodes(pos.CONFIGURE, configure4(earning=e, expiry=x)) for e, x in [(0, 2), (4, 2), (1, 0), (1, 5)]))
    check("configure v4 without its returns byte, with a byte more, and configure v5 without its review byte are "
          "decoding errors",
          not decodes(pos.CONFIGURE, configure4()[:-1]) and not decodes(pos.CONFIGURE, configure4() + u8(2))
          and not decodes(pos.CONFIGURE, u8(5) + configure4()[1:]))
    check("configure v3 followed by a returns byte is a decoding error",
          not decodes(pos.CONFIGURE, u8(3) + configure4(expiry=3)[1:]))
    check("settings v4 encode back to the signed bytes; without settings returns are proportional",
          pos.enc_settings(pos.decode(pos.CONFIGURE, configure4())) == configure4()
          and pos.enc_settings(pos.decode(pos.CONFIGURE, configure4(earning=1, expiry=3))) == configure4(earning=1, expiry=3)
          and pos.get_settings({})["returns"] == "proportional"
          and pos.enc_settings(dict(pos.get_settings({}), expiry="quarter"))[0] == 3)
    original = b"\7" * 32
    one = [(0, 1, 500, 42)]
    check("refund v2 decodes its adjustments", pos.decode(pos.REFUND, refund_body(
        original, 1, one, 900, 200, 17, [card(200)], 5, [(1, 300, 25), (4, 0, -1), (7, -2, 0)]))["adjustments"]
        == [(1, 300, 25), (4, 0, -1), (7, -2, 0)])
    check("refund v1 has no adjustments",
          pos.decode(pos.REFUND, refund_body(original, 1, one, 900, 500, 42, [card(500)]))["adjustments"] == [])
    for name, adjustments in (("an empty list", []), ("a line index twice", [(1, 1, 0), (1, 2, 0)]),
                              ("descending line indexes", [(2, 1, 0), (1, 1, 0)]),
                              ("an entry of amount and GST 0", [(1, 300, 25), (2, 0, 0)])):
        check(f"refund v2 with {name} is a decoding error",
              not decodes(pos.REFUND, refund_body(original, 1, one, 900, 500, 42, [card(500)], 0, adjustments)))
    check("refund v2 with 501 adjustments, and refund v3, are decoding errors",
          not decodes(pos.REFUND, refund_body(original, 1, one, 900, 500, 42, [card(500)], 0,
                                              [(i, 1, 0) for i in range(501)]))
          and decodes(pos.REFUND, refund_body(original, 1, one, 900, 500, 42, [card(500)], 0,
                                              [(i, 1, 0) for i in range(500)]))
          and not decodes(pos.REFUND, u8(3) + refund_body(original, 1, one, 900, 500, 42, [card(500)], 0,
                                                          [(1, 1, 0)])[1:]))

    # A chain under re-priced returns: B2G1 on snacks, S$3 off dairy (at most twice per member,
    # a budget), the tiers' points with point rates and the personal multiplier; per-invoice GST.
    b2g1, dairy, tiers = contract("snacks-b2g1.rules"), contract("member-limited.rules"), contract("loyalty-tiers.rules")
    m = Machine()
    check("re-priced: setup", [
        m.apply(pos.SET_PRICES, set_prices([("CHIPS", "snacks", 500, True, 1), ("POPCORN", "snacks", 300, True, 1),
                                            ("NUTS", "nuts", 800, True, 1), ("MILK", "dairy", 400, True, 1)], version=1)),
        m.apply(pos.POINT_RATES, point_rates([("nuts", 20_000), ("toys", 5_000)])),
        m.apply(pos.DEPLOY_RULE, deploy(b2g1), pos.ROLE_ADMIN), m.apply(pos.DEPLOY_RULE, deploy(dairy), pos.ROLE_ADMIN),
        m.apply(pos.DEPLOY_RULE, deploy(tiers), pos.ROLE_ADMIN),
        m.apply(pos.CONFIGURE, configure4(earning=2), pos.ROLE_ADMIN),
        m.apply(pos.ENROL, u8(1) + enc_str("M1")), m.apply(pos.MEMBER_MULTIPLIER, multiplier("M1", 15_000)),
        m.till(pos.SHIFT_OPEN, u8(1) + i64(0))] == [0] * 9)
    check("a v4 configure is stored as it was signed", m.state[pos.K_SETTINGS] == configure4(earning=2)
          and pos.get_settings(m.state)["returns"] == "re-priced")
    moves = [("promo.dairy-3off", "uses", "M1", 1), ("promo.dairy-3off", "total", "", 1)]
    # Sale A: MILK, S$3 off (net 100, GST tax(100) = 8); points: built-in 1 + the tiers' 1 ($1 x 1.5, floored).
    check("re-priced: sale A (MILK, S$3 off) accepted", m.till(pos.SALE, sale_body(
        1, [("MILK", "dairy", 1, 400, True, 1, [("promo.dairy-3off", 300)], 100, 8)], 900, 400, 300, 8, 100,
        [card(100)], member="M1", record=(0, 0, moves), earned=2)) == 0)
    sale_a = bytes([m.n]) * 32
    ids = [("loyalty.tiers", sha(tiers.encode())), ("promo.dairy-3off", sha(dairy.encode())),
           ("promo.snacks-b2g1", sha(b2g1.encode()))]
    h = sha(rule_set_bytes(ids))
    check("sale A writes the rule set (ids ascending) keyed by its hash, and each rule's source",
          m.state.get(b"\x20" + h) == rule_set_bytes(ids)
          and all(m.state.get(b"\x21" + sha(src.encode())) == enc_str(src) for src in (b2g1, dairy, tiers)))
    check("sale A's pricing record: no counter was above 0 before it",
          m.state.get(b"\x22" + sale_a) == pricing_bytes(T0, h, 1, 0, 0, 15_000, 2, 1, 1, [("dairy", 400, True)], [], [],
                                                         moves))
    # Sale B: CHIPS x2, POPCORN (free: the cheapest snack unit), NUTS, MILK (S$3 off, uses 1 -> 2).
    # Nets 1000, 0, 800, 100 = 1900; GST tax(1900) = 157 split 83, 0, 66, 8. Points: built-in 19;
    # tiers: rated 1000 + 0 + 800 x 200% + 100 = 2700 -> $27 x 1.5 = 40; earned 59.
    sale_b_lines = [("CHIPS", "snacks", 2, 500, True, 1, [], 1000, 83),
                    ("POPCORN", "snacks", 1, 300, True, 1, [("promo.snacks-b2g1", 300)], 0, 0),
                    ("NUTS", "nuts", 1, 800, True, 1, [], 800, 66),
                    ("MILK", "dairy", 1, 400, True, 1, [("promo.dairy-3off", 300)], 100, 8)]
    check("re-priced: sale B accepted", m.till(pos.SALE, sale_body(
        2, sale_b_lines, 900, 2500, 600, 157, 1900, [card(1900)], member="M1", record=(0, 0, moves), earned=59)) == 0)
    sale_b = bytes([m.n]) * 32
    b_lines = [("snacks", 500, True), ("snacks", 300, True), ("nuts", 800, True), ("dairy", 400, True)]
    b_record = pricing_bytes(T0, h, 1, 100, 2, 15_000, 2, 1, 1, b_lines, [("nuts", 20_000)],
                             [("promo.dairy-3off", "total", "", 1), ("promo.dairy-3off", "uses", "M1", 1)], moves)
    check("sale B's pricing record: the member before it, its lines, the rates of its categories, the counters "
          "above 0 before it (by key: total before uses), its moves", m.state.get(b"\x22" + sale_b) == b_record)
    check("sale B: the rule set and sources present were not written again",
          not any(k[:1] in (b"\x20", b"\x21") for k in m.written) and b"\x22" + sale_b in m.written)
    check("after sale B the dairy counters are 2", counter(m.state, "promo.dairy-3off", "uses", "M1") == 2
          and counter(m.state, "promo.dairy-3off", "total") == 2)
    # What the state holds now differs from the snapshot: the record must be what prices the return.
    check("re-priced: the rates, the multiplier and points per dollar change after the sale", [
        m.apply(pos.POINT_RATES, point_rates([("nuts", 10_000)])), m.apply(pos.MEMBER_MULTIPLIER, multiplier("M1", 10_000)),
        m.apply(pos.CONFIGURE, configure4(ppd=5, earning=2), pos.ROLE_ADMIN)] == [0, 0, 0])

    # Refund 1: one CHIPS back (halfup(1000 / 2) = 500, GST halfup(83 / 2) = 42; c = 500). Kept:
    # CHIPS, POPCORN, NUTS, MILK: two snack units, nothing free; MILK still S$3 off (the record's uses
    # is 1, the state's 2 would refuse it); nets 500, 300, 800, 100 = 1700, GST 140 split 41, 25, 66, 8.
    # m = 500, 0, 800, 100: delta 0, 300, 0, 0 (GST 0, 25, 0, 0): the free POPCORN is clawed back.
    # Amount 500 - 300 = 200, GST 42 - 25 = 17. E = built-in 17 (record's ppd 1) + tiers 37 (rated
    # 500 + 300 + 1600 + 100 = 2500 -> $25 x 1.5) = 54; L = 59: 5 reversed.
    def refund1(adjustments, amount=200, gst=17, reversed_points=5):
        return refund_body(sale_b, 1, [(0, 1, 500, 42)], 900, amount, gst, [card(amount)] if amount else [],
                           reversed_points, adjustments)
    check("refund 1 with a wrong adjustment GST is 302", m.till(pos.REFUND, refund1([(1, 300, 24)], gst=18)) == 302)
    check("refund 1 with a wrong adjustment amount is 302", m.till(pos.REFUND, refund1([(1, 299, 25)], amount=201)) == 302)
    check("refund 1 with the adjustment on the wrong line is 302", m.till(pos.REFUND, refund1([(0, 300, 25)])) == 302)
    check("refund 1 without adjustments (version 1) is 302", m.till(pos.REFUND, refund1(None, 500, 42)) == 302)
    check("refund 1 with the right adjustment but the lines' sums is 302",
          m.till(pos.REFUND, refund1([(1, 300, 25)], 500, 42)) == 302)
    check("refund 1 with proportional points reversed is 302",
          m.till(pos.REFUND, refund1([(1, 300, 25)], reversed_points=6)) == 302)
    check("refund 1 accepted: adjustment (1, 300, 25), amount 200, GST 17, 5 points reversed",
          m.till(pos.REFUND, refund1([(1, 300, 25)])) == 0)
    record = pos.get_sale(m.state, sale_b) or {"lines": [], "reversed": None}
    check("refund 1: the adjustment is added to POPCORN's line, CHIPS's refunded",
          [l[1:7] for l in record["lines"]] == [[2, 1000, 83, 1, 500, 42], [1, 300, 25, 0, 0, 0], [1, 800, 66, 0, 0, 0],
                                                 [1, 100, 8, 0, 0, 0]] and record["reversed"] == 5)
    check("refund 1: K equals the record's moves, so no counter is written and the record is the same",
          counter(m.state, "promo.dairy-3off", "uses", "M1") == 2 and not any(k[:1] == b"\x1a" for k in m.written)
          and m.state.get(b"\x22" + sale_b) == b_record and b"\x22" + sale_b in m.written)
    member = pos.get_member(m.state, "M1") or {"lots": [], "spend": None}
    check("refund 1: member debited 5 of 61, lifetime spend 2000 - 200",
          pos.balance(member) == 56 and member["spend"] == 1800)
    check("refund 1: books take back 500/42 and add 300/25",
          pos.get_books(m.state, 1)["period"]["rates"] == [[900, 2000 - 500 + 300, 165 - 42 + 25]]
          and pos.get_books(m.state, 1)["period"]["refunds_total"] == 200)

    # Refund 2: the MILK (100, GST 8; c = 100). Kept CHIPS, POPCORN, NUTS: nets 500, 300, 800 = 1600,
    # GST 132 split 41, 25, 66 = what is left on those lines: no adjustment. E = 16 + 36 = 52, L = 54:
    # 2 reversed. K is empty: the dairy counters go back by the record's moves.
    refund2 = refund_body(sale_b, 2, [(3, 1, 100, 8)], 900, 100, 8, [card(100)], 2)
    check("refund 2 with an adjustment where none is due is 302", m.till(pos.REFUND, refund_body(
        sale_b, 2, [(3, 1, 100, 8)], 900, 99, 8, [card(99)], 2, [(2, 1, 0)])) == 302)
    check("refund 2 (no adjustments, version 1) accepted", m.till(pos.REFUND, refund2) == 0)
    check("refund 2: the dairy counters written back to 1, the record's moves emptied",
          counter(m.state, "promo.dairy-3off", "uses", "M1") == 1 and counter(m.state, "promo.dairy-3off", "total") == 1
          and [k for k in m.written if k[:1] == b"\x1a"] == [
              b"\x1apromo.dairy-3off\x00uses\x00M1", b"\x1apromo.dairy-3off\x00total\x00"]
          and m.state.get(b"\x22" + sale_b) == pricing_bytes(
              T0, h, 1, 100, 2, 15_000, 2, 1, 1, b_lines, [("nuts", 20_000)],
              [("promo.dairy-3off", "total", "", 1), ("promo.dairy-3off", "uses", "M1", 1)], []))

    # Refund 3: the rest (500/41, 300/25, 800/66): nothing kept, no adjustments, E = 0: all 52 left
    # reversed; the three refunds add up to what was paid.
    check("refund 3 with an adjustment when nothing is kept is 302", m.till(pos.REFUND, refund_body(
        sale_b, 3, [(0, 1, 500, 41), (1, 1, 300, 25), (2, 1, 800, 66)], 900, 1599, 132, [card(1599)], 52,
        [(0, 1, 0)])) == 302)
    check("refund 3 of the rest accepted", m.till(pos.REFUND, refund_body(
        sale_b, 3, [(0, 1, 500, 41), (1, 1, 300, 25), (2, 1, 800, 66)], 900, 1600, 132, [card(1600)], 52)) == 0)
    record = pos.get_sale(m.state, sale_b) or {"lines": [], "reversed": None}
    check("the refunds add up to the sale: 200 + 100 + 1600 = 1900, GST 17 + 8 + 132 = 157, 59 points",
          200 + 100 + 1600 == 1900 and sum(l[5] for l in record["lines"]) - 300 == 1900
          and sum(l[6] for l in record["lines"]) - 25 == 157 and record["reversed"] == 59)
    member = pos.get_member(m.state, "M1") or {"lots": [], "spend": None}
    check("refund 3: no counter written; the member keeps sale A's 2 points and its spend",
          not any(k[:1] == b"\x1a" for k in m.written) and pos.balance(member) == 2 and member["spend"] == 100)
    check("refund 3: the books hold sale A's supplies only",
          pos.get_books(m.state, 1)["period"]["rates"] == [[900, 100, 8]]
          and pos.get_books(m.state, 1)["period"]["refunds_total"] == 1900)

    # A void undoes the sale's moves: sale D (MILK, uses 1 -> 2; points now ppd 5: 5 + 1).
    check("re-priced: sale D accepted", m.till(pos.SALE, sale_body(
        3, [("MILK", "dairy", 1, 400, True, 1, [("promo.dairy-3off", 300)], 100, 8)], 900, 400, 300, 8, 100,
        [card(100)], member="M1", record=(0, 0, moves), earned=6)) == 0)
    sale_d = bytes([m.n]) * 32
    d_record = pricing_bytes(T0, h, 1, 100, 2, 10_000, 2, 5, 1, [("dairy", 400, True)], [],
                             [("promo.dairy-3off", "total", "", 1), ("promo.dairy-3off", "uses", "M1", 1)], moves)
    check("sale D's record: the state's multiplier and points per dollar now",
          m.state.get(b"\x22" + sale_d) == d_record and counter(m.state, "promo.dairy-3off", "total") == 2)
    check("void of sale D accepted", m.till(pos.VOID, u8(1) + sale_d + enc_str("wrong member")) == 0)
    check("void: each move undone, the record's moves emptied",
          counter(m.state, "promo.dairy-3off", "uses", "M1") == 1 and counter(m.state, "promo.dairy-3off", "total") == 1
          and m.state.get(b"\x22" + sale_d) == pricing_bytes(
              T0, h, 1, 100, 2, 10_000, 2, 5, 1, [("dairy", 400, True)], [],
              [("promo.dairy-3off", "total", "", 1), ("promo.dairy-3off", "uses", "M1", 1)], []))

    # The capping rule: S$5 off at S$50 (a basket discount) for a guest; BAG 2000, BOOK 2900, PEN 300
    # = 5200: 500 split 192, 279, 29 (ties to the earlier line); nets 1808, 2621, 271 = 4700; GST
    # tax(4700) = 388 split 149, 217, 22. The guest's sale has no rule record (version 1) but a
    # pricing record. Returning the PEN (271, GST 22): the kept 4900 gets no discount, deltas 192 and
    # 279 (GST 165 - 149 = 16, 240 - 217 = 23) sum 471 > c = 271: split 271 by 192 : 279 -> 110 (rem
    # 222), 160 + 1 (rem 249) = 161; GST halfup(16 x 110 / 192) = 9, halfup(23 x 161 / 279) = 13.
    c = Machine()
    spend50 = contract("basket-fixed-off.rules")
    check("capping: setup", [
        c.apply(pos.SET_PRICES, set_prices([("BAG", "misc", 2000, True, 1), ("BOOK", "misc", 2900, True, 1),
                                            ("PEN", "misc", 300, True, 1)], version=1)),
        c.apply(pos.DEPLOY_RULE, deploy(spend50), pos.ROLE_ADMIN),
        c.apply(pos.CONFIGURE, configure4(earning=1), pos.ROLE_ADMIN), c.till(pos.SHIFT_OPEN, u8(1) + i64(0))] == [0] * 4)
    check("capping: the guest's sale accepted", c.till(pos.SALE, sale_body(1, [
        ("BAG", "misc", 1, 2000, True, 1, [("promo.spend50-save5", 192)], 1808, 149),
        ("BOOK", "misc", 1, 2900, True, 1, [("promo.spend50-save5", 279)], 2621, 217),
        ("PEN", "misc", 1, 300, True, 1, [("promo.spend50-save5", 29)], 271, 22)], 900, 5200, 500, 388, 4700,
        [card(4700)], version=1)) == 0)
    sale_c = bytes([c.n]) * 32
    h_c = sha(rule_set_bytes([("promo.spend50-save5", sha(spend50.encode()))]))
    check("capping: a guest's pricing record is all zero for the member, with no moves",
          c.state.get(b"\x22" + sale_c) == pricing_bytes(T0, h_c, 0, 0, 0, 0, 1, 1, 1, [
              ("misc", 2000, True), ("misc", 2900, True), ("misc", 300, True)], [], [], []))
    check("capping: the uncapped deltas are 302", c.till(pos.REFUND, refund_body(
        sale_c, 1, [(2, 1, 271, 22)], 900, -200, -17, [], 0, [(0, 192, 16), (1, 279, 23)])) == 302)
    check("capping: the adjustments split 271 by largest remainder; amount and GST 0, no tender",
          c.till(pos.REFUND, refund_body(sale_c, 1, [(2, 1, 271, 22)], 900, 0, 0, [], 0, [(0, 110, 9), (1, 161, 13)])) == 0)
    record = pos.get_sale(c.state, sale_c) or {"lines": []}
    check("capping: the kept lines now cost 1918 and 2782",
          [l[2:4] for l in record["lines"]] == [[1918, 158], [2782, 230], [271, 22]]
          and pos.get_books(c.state, 1)["period"]["rates"] == [[900, 4700, 388]])
    check("capping: the rest back for what the lines now hold", c.till(pos.REFUND, refund_body(
        sale_c, 2, [(0, 1, 1918, 158), (1, 1, 2782, 230)], 900, 4700, 388, [card(4700)])) == 0
        and pos.get_books(c.state, 1)["period"]["rates"] == [[900, 0, 0]])

    # Points redeemed as a discount (§13.4 step 5) are re-applied to the kept basket: V = min(P x
    # point value, net). M2 redeems 100 points on CHIPS x2 + POPCORN (free): nets 1000, 0 -> the 100
    # on CHIPS: 900, GST tax(900) = 74. One CHIPS back: 450, GST 37 (c = 450). Kept CHIPS + POPCORN:
    # nets 500, 300, V = 100 split 62.5 / 37.5 -> 63 (the tie to the earlier line), 37: 437, 263;
    # GST tax(700) = 58 split 36, 22. Deltas 437 - 450 = -13 (GST -1) and 263 (GST 22): amount
    # 450 - 250 = 200, GST 37 - 21 = 16. The customer keeps 700 of the 900 paid.
    v = Machine()
    check("redeemed points: setup", [
        v.apply(pos.SET_PRICES, set_prices([("CHIPS", "snacks", 500, True, 1), ("POPCORN", "snacks", 300, True, 1)],
                                           version=1)),
        v.apply(pos.DEPLOY_RULE, deploy(b2g1), pos.ROLE_ADMIN),
        v.apply(pos.CONFIGURE, configure4(earning=1), pos.ROLE_ADMIN), v.apply(pos.ENROL, u8(1) + enc_str("M2")),
        v.apply(pos.POINTS_ADJUST, u8(1) + enc_str("M2") + i64(100) + enc_str("welcome")),
        v.till(pos.SHIFT_OPEN, u8(1) + i64(0))] == [0] * 6)
    check("redeemed points: the sale accepted", v.till(pos.SALE, sale_body(1, [
        ("CHIPS", "snacks", 2, 500, True, 1, [("loyalty-points", 100)], 900, 74),
        ("POPCORN", "snacks", 1, 300, True, 1, [("promo.snacks-b2g1", 300)], 0, 0)], 900, 1300, 400, 74, 900,
        [card(900)], version=1, member="M2", redeemed=100)) == 0)
    sale_v = bytes([v.n]) * 32
    check("redeemed points: the record holds the balance before the sale and the point value",
          v.state.get(b"\x22" + sale_v) == pricing_bytes(
              T0, sha(rule_set_bytes([("promo.snacks-b2g1", sha(b2g1.encode()))])), 1, 0, 100, 10_000, 1, 1, 1,
              [("snacks", 500, True), ("snacks", 300, True)], [], [], []))
    check("redeemed points: without the points on the kept basket (adjustment 300) is 302", v.till(pos.REFUND, refund_body(
        sale_v, 1, [(0, 1, 450, 37)], 900, 150, 12, [card(150)], 0, [(1, 300, 25)])) == 302)
    check("redeemed points: a negative and a positive adjustment, amount 200, GST 16", v.till(pos.REFUND, refund_body(
        sale_v, 1, [(0, 1, 450, 37)], 900, 200, 16, [card(200)], 0, [(0, -13, -1), (1, 263, 22)])) == 0
        and [l[2:4] for l in (pos.get_sale(v.state, sale_v) or {"lines": []})["lines"]] == [[887, 73], [263, 22]]
        and (pos.get_member(v.state, "M2") or {}).get("spend") == 700)

    # Proportional returns (no settings): the same B2G1 sale writes no pricing record, rule set or
    # source; a refund with adjustments is 302, the proportional one passes.
    p = Machine()
    p.apply(pos.SET_PRICES, set_prices([("CHIPS", "snacks", 500, True, 1)], version=1))
    p.apply(pos.DEPLOY_RULE, deploy(b2g1), pos.ROLE_ADMIN)
    p.till(pos.SHIFT_OPEN, u8(1) + i64(0))
    check("proportional: the B2G1 sale accepted", p.till(pos.SALE, sale_body(
        1, [("CHIPS", "snacks", 3, 500, True, 1, [("promo.snacks-b2g1", 500)], 1000, 83)], 900, 1500, 500, 83, 1000,
        [card(1000)], version=1)) == 0)
    sale_p = bytes([p.n]) * 32
    check("proportional: no pricing record, rule set or source is written",
          not any(k[:1] in (b"\x20", b"\x21", b"\x22") for k in p.state))
    check("proportional: a refund with adjustments is 302", p.till(pos.REFUND, refund_body(
        sale_p, 1, [(0, 1, 333, 28)], 900, 0, 0, [], 0, [(0, 333, 28)])) == 302)
    check("proportional: the proportional refund passes", p.till(pos.REFUND, refund_body(
        sale_p, 1, [(0, 1, 333, 28)], 900, 333, 28, [card(333)])) == 0)
    check("proportional: a training sale under re-priced returns writes no record",
          p.apply(pos.CONFIGURE, configure4(), pos.ROLE_ADMIN) == 0 and p.till(pos.SALE, sale_body(
              2, [("CHIPS", "snacks", 3, 500, True, 1, [("promo.snacks-b2g1", 500)], 1000, 83)], 900, 1500, 500, 83,
              1000, [card(1000)], version=1, training=True)) == 0
          and not any(k[:1] in (b"\x20", b"\x21", b"\x22") for k in p.state))
    check("re-priced after the change: the next sale has a record, the earlier one still refunds proportionally",
          p.till(pos.SALE, sale_body(3, [("CHIPS", "snacks", 3, 500, True, 1, [("promo.snacks-b2g1", 500)], 1000, 83)],
                                     900, 1500, 500, 83, 1000, [card(1000)], version=1)) == 0
          and b"\x22" + bytes([p.n]) * 32 in p.state and p.till(pos.REFUND, refund_body(
              sale_p, 2, [(0, 1, 333, 28)], 900, 333, 28, [card(333)])) == 0)


# --- skip reasons (FORMAT.md §13.1 and §13.2 sale version 4, §13.4 step 4, §13.5 sale) ---------

DAIRY_REASON = ("promo.dairy-3off", "S$3 off dairy for members")


def priced_body(machine, body):
    """The sale body §13.4 prices for the inputs of `body` on `machine`'s state, encoded by
    pos.py (§13.1 picks its version); nothing is applied."""
    s = pos.decode(pos.SALE, body)
    ctx = pos.Context(State(machine.state), machine.g, OUTLET, {"role": pos.ROLE_TILL, "principal": "till-01"},
                      b"\1" * 32, b"\0" * 32, T0)
    computed = pos.price_sale(ctx, [(l["sku"], l["qty"]) for l in s["lines"]], s["member"], s["redeemed"],
                              s["training"], s["tenders"], s["codes"])
    return pos.computed_sale_body(s, computed)


def skip_reasons(check, decodes):
    dairy = contract("member-limited.rules")
    m = Machine()
    check("skip reasons: setup", [
        m.apply(pos.SET_PRICES, set_prices([("MILK", "dairy", 400, True, 1), ("CHIPS", "snacks", 500, True, 1)],
                                           version=1)),
        m.apply(pos.DEPLOY_RULE, deploy(dairy), pos.ROLE_ADMIN), m.till(pos.SHIFT_OPEN, u8(1) + i64(0))] == [0] * 3)
    # A guest's MILK (net 400 >= S$3.00): the rule skips with its members-only reason; no
    # discount, no rule record; GST tax(400) = halfup(400 x 900 / 10900) = 33.
    milk = [("MILK", "dairy", 1, 400, True, 1, [], 400, 33)]

    def guest(receipt, **kw):
        return sale_body(receipt, milk, 900, 400, 0, 33, 400, [card(400)], version=1, **kw)
    v4 = guest(1, skipped=[DAIRY_REASON])
    check("a version-4 sale decodes: lines with tax categories, an empty record as none, the skip reasons",
          pos.decode(pos.SALE, v4)["skipped"] == [DAIRY_REASON] and pos.decode(pos.SALE, v4)["record"] is None
          and pos.decode(pos.SALE, v4)["lines"][0]["tax"] == 1 and v4[0] == 4)
    check("the guest's dairy sale encodes as version 4: its skip reason and an empty rule record",
          priced_body(m, guest(1)) == v4 and pos.enc_sale_body(pos.decode(pos.SALE, v4)) == v4)
    check("the guest's dairy sale without the skip reason (version 1) is 302", m.till(pos.SALE, guest(1)) == 302)
    check("the guest's dairy sale with another reason is 302", m.till(pos.SALE, guest(
        1, skipped=[("promo.dairy-3off", "limit reached: twice per member")])) == 302)
    check("the guest's dairy sale with the reason under another rule id is 302", m.till(pos.SALE, guest(
        1, skipped=[("promo.dairy-3of", DAIRY_REASON[1])])) == 302)
    check("the guest's dairy sale with the reason twice is 302", m.till(pos.SALE, guest(
        1, skipped=[DAIRY_REASON, DAIRY_REASON])) == 302)
    check("a version-4 sale with an empty skip list is a decoding error (1)",
          not decodes(pos.SALE, guest(1, skipped=[])) and m.till(pos.SALE, guest(1, skipped=[])) == 1)
    check("a version-4 sale with 65 skip reasons, a reason of 129 bytes or a rule tier of 6 is a decoding error",
          not decodes(pos.SALE, guest(1, skipped=[DAIRY_REASON] * 65)) and decodes(pos.SALE, guest(1, skipped=[DAIRY_REASON] * 64))
          and not decodes(pos.SALE, guest(1, skipped=[("r", "x" * 129)])) and decodes(pos.SALE, guest(1, skipped=[("r", "x" * 128)]))
          and not decodes(pos.SALE, guest(1, record=(0, 6, []), skipped=[DAIRY_REASON])))
    check("a version-3 sale followed by skip reasons, a version-5 sale without its code list, and a sale "
          "version 6, are decoding errors",
          not decodes(pos.SALE, u8(3) + guest(1, record=(0, 1, []), skipped=[DAIRY_REASON])[1:])
          and not decodes(pos.SALE, u8(5) + v4[1:])
          and not decodes(pos.SALE, u8(6) + guest(1, skipped=[DAIRY_REASON], codes=["X"])[1:]))
    check("the guest's dairy sale with its skip reason (version 4) is accepted", m.till(pos.SALE, v4) == 0)
    check("a sale record holds no skip reason (version 1 as before)", (pos.get_sale(m.state, bytes([m.n]) * 32) or
                                                                       {"lines": None})["lines"] == [
        ["MILK", 1, 400, 33, 0, 0, 0, 1]] and m.state[pos.k_sale(bytes([m.n]) * 32)][0] == 1)
    # No dairy line: the rule skips without a reason; nothing to record (version 1).
    chips = [("CHIPS", "snacks", 1, 500, True, 1, [], 500, 41)]
    check("a basket without dairy: a plain skip gives no reason (version 1)", m.till(pos.SALE, sale_body(
        2, chips, 900, 500, 0, 41, 500, [card(500)], version=1)) == 0
        and priced_body(m, sale_body(2, chips, 900, 500, 0, 41, 500, [card(500)], version=1))[0] == 1)
    check("recording a skip reason for it is 302", m.till(pos.SALE, sale_body(
        3, chips, 900, 500, 0, 41, 500, [card(500)], version=1, skipped=[DAIRY_REASON])) == 302)
    # A training sale records none.
    check("a training guest sale with dairy records no skip reason (version 1)",
          priced_body(m, guest(3, training=True))[0] == 1 and m.till(pos.SALE, guest(3, training=True)) == 0)
    check("a training sale recording the skip reason is 302",
          m.till(pos.SALE, guest(4, training=True, skipped=[DAIRY_REASON])) == 302)
    # A member whose discount applies: no skip reason, the rule record alone (version 3).
    check("enrol M1", m.apply(pos.ENROL, u8(1) + enc_str("M1")) == 0)
    moves = [("promo.dairy-3off", "uses", "M1", 1), ("promo.dairy-3off", "total", "", 1)]
    member_sale = sale_body(4, [("MILK", "dairy", 1, 400, True, 1, [("promo.dairy-3off", 300)], 100, 8)], 900, 400, 300,
                            8, 100, [card(100)], member="M1", record=(0, 0, moves))
    check("a member's discounted dairy sale is version 3, no skip reason", priced_body(m, member_sale) == member_sale
          and m.till(pos.SALE, member_sale) == 0)
    check("the same with an empty skip list is a decoding error", not decodes(
        pos.SALE, sale_body(5, [("MILK", "dairy", 1, 400, True, 1, [("promo.dairy-3off", 300)], 100, 8)], 900, 400, 300,
                            8, 100, [card(100)], member="M1", record=(0, 0, moves), skipped=[])))

    # A reason of 130 bytes whose 128th byte is inside a 3-byte character (bytes 127-129: "€"):
    # recorded cut before that character, 126 bytes; the rules in the order they ran (priority
    # 100 before the dairy rule's 250), a rule record and skip reasons together.
    long_reason = "a" * 126 + "\u20ac" + "b"
    assert len(long_reason.encode()) == 130 and long_reason.encode()[126:129] == "\u20ac".encode()
    longer = 'rule "promo.long" version 1 { priority 100 require false else skip("' + long_reason + '") }'
    check("a rule with a 130-byte skip reason deploys", m.apply(pos.DEPLOY_RULE, deploy(longer), pos.ROLE_ADMIN) == 0)
    cut = [("promo.long", "a" * 126), DAIRY_REASON]
    check("cut_utf8: before a character cut in two, whole otherwise", pos.cut_utf8(long_reason, 128) == "a" * 126
          and pos.cut_utf8("a" * 125 + "\u20ac" + "b", 128) == "a" * 125 + "\u20ac"
          and pos.cut_utf8("a" * 128 + "\u20ac", 128) == "a" * 128 and pos.cut_utf8("\u20ac", 128) == "\u20ac")
    check("the 130-byte reason uncut does not decode (string(128)); cut at 128 bytes it is not UTF-8",
          not decodes(pos.SALE, guest(5, skipped=[("promo.long", long_reason)]))
          and not decodes(pos.SALE, guest(5, skipped=[("promo.long", "a" * 128)])[:-128] + long_reason.encode()[:128]))
    check("recorded with 127 bytes (a stray 'a' instead of the cut character) it is 302",
          m.till(pos.SALE, guest(5, skipped=[("promo.long", "a" * 127), DAIRY_REASON])) == 302)
    check("in the wrong order it is 302", m.till(pos.SALE, guest(5, skipped=cut[::-1])) == 302)
    check("without the dairy reason it is 302", m.till(pos.SALE, guest(5, skipped=cut[:1])) == 302)
    check("the guest's dairy sale encodes with both reasons, the long one cut to 126 bytes",
          priced_body(m, guest(5)) == guest(5, skipped=cut))
    check("and is accepted so", m.till(pos.SALE, guest(5, skipped=cut)) == 0)
    many = Machine()
    for n in range(65):
        many.apply(pos.DEPLOY_RULE, deploy(f'rule "s.{n:02}" version 1 {{ require false else skip("r{n}") }}'),
                   pos.ROLE_ADMIN)
    many.apply(pos.SET_PRICES, set_prices([("MILK", "dairy", 400, True, 1)], version=1))
    check("of 65 rules skipped with a reason the first 64 are recorded", pos.decode(pos.SALE, priced_body(many, guest(1)))
          ["skipped"] == [(f"s.{n:02}", f"r{n}") for n in range(64)])

    # Re-priced returns: a sale with a skip reason keeps its pricing record; the kept basket's
    # re-pricing (which skips the dairy rule for the guest again) adds no skip reason anywhere.
    r = Machine()
    check("re-priced skip reasons: setup", [
        r.apply(pos.SET_PRICES, set_prices([("MILK", "dairy", 400, True, 1)], version=1)),
        r.apply(pos.DEPLOY_RULE, deploy(dairy), pos.ROLE_ADMIN), r.apply(pos.CONFIGURE, configure4(), pos.ROLE_ADMIN),
        r.till(pos.SHIFT_OPEN, u8(1) + i64(0))] == [0] * 4)
    two = sale_body(1, [("MILK", "dairy", 2, 400, True, 1, [], 800, 66)], 900, 800, 0, 66, 800, [card(800)], version=1,
                    skipped=[DAIRY_REASON])
    check("re-priced: the guest's two MILK with the skip reason accepted", r.till(pos.SALE, two) == 0)
    sale_two = bytes([r.n]) * 32
    h = hashlib.sha256(rule_set_bytes([("promo.dairy-3off", hashlib.sha256(dairy.encode()).digest())])).digest()
    check("its pricing record as without skip reasons",
          r.state.get(b"\x22" + sale_two) == pricing_bytes(T0, h, 0, 0, 0, 0, 2, 1, 1, [("dairy", 400, True)], [], [], []))
    # One MILK back: 400, GST halfup(66 / 2) = 33; the kept MILK re-priced at 400 (GST 33): no adjustment.
    check("re-priced: one MILK back without adjustments (version 1) accepted", r.till(pos.REFUND, refund_body(
        sale_two, 1, [(0, 1, 400, 33)], 900, 400, 33, [card(400)])) == 0)
    check("the pricing record is unchanged", r.state.get(b"\x22" + sale_two) == pricing_bytes(
        T0, h, 0, 0, 0, 0, 2, 1, 1, [("dairy", 400, True)], [], [], []))
    check("re-pricing computes no skip reason", pos.price_basket(
        pos.Context(State(r.state), r.g, OUTLET, {"role": pos.ROLE_TILL, "principal": "till-01"}, b"\1" * 32,
                    b"\0" * 32, T0), {"point_value": 0, "ppd": 1, "tender": False, "rounding": False,
                                      "earning": "built-in-plus-rules"},
        [{"sku": "MILK", "category": "dairy", "qty": 1, "unit": 400, "incl": True, "tax": 1, "discounts": []}],
        "", pos.rules_language.Customer(), None, 0, False, [], repricing=True)["skipped"] == [])


# --- promotion codes (FORMAT.md §13.1 and §13.2 sale version 5, §13.3 sale pricing version 2,
# §13.4 step 4's codes check, §13.5 sale *Pricing record* and refund *Re-pricing*) -------------

WELCOME2 = ('rule "promo.code-welcome2" version 1 { lang 1 priority 350 require has_code("WELCOME2") else skip '
            'require basket.subtotal >= S$20.00 else skip("WELCOME2 needs S$20.00 or more") '
            'emit basket_discount(S$2.00, "WELCOME2") }')
WELCOME2_REASON = ("promo.code-welcome2", "WELCOME2 needs S$20.00 or more")


def promotion_codes(check, decodes):
    sha = lambda b: hashlib.sha256(b).digest()  # noqa: E731
    m = Machine()
    check("promotion codes: setup", [
        m.apply(pos.SET_PRICES, set_prices([("TEA", "drinks", 1200, True, 1), ("MUG", "kitchen", 900, True, 1)],
                                           version=1)),
        m.apply(pos.DEPLOY_RULE, deploy(WELCOME2), pos.ROLE_ADMIN),
        # a rule naming LATER that is not yet active at T0: its code is no active rule's
        m.apply(pos.DEPLOY_RULE, deploy('rule "promo.later" version 1 { require has_code("LATER") else skip '
                                        'emit basket_discount(S$1.00, "LATER") }', active=T0 + 1), pos.ROLE_ADMIN),
        m.till(pos.SHIFT_OPEN, u8(1) + i64(0))] == [0] * 4)

    # TEA + MUG = 2100 >= S$20 with WELCOME2: S$2 split 200 x 1200 / 2100 = 114 (rem 600), 200 x 900 / 2100
    # = 85 (rem 1500) + 1 = 86; nets 1086, 814 = 1900; GST tax(1900) = halfup(1 710 000 / 10 900) = 157
    # split 157 x 1086 / 1900 = 89 (rem 1402) + 1 = 90, 157 x 814 / 1900 = 67 (rem 498). A guest, no rule
    # record, no skip reason: version 5 with an empty record, an empty skip list and the code.
    discounted = [("TEA", "drinks", 1, 1200, True, 1, [("promo.code-welcome2", 114)], 1086, 90),
                  ("MUG", "kitchen", 1, 900, True, 1, [("promo.code-welcome2", 86)], 814, 67)]

    def welcome(receipt, codes=("WELCOME2",), **kw):
        return sale_body(receipt, discounted, 900, 2100, 200, 157, 1900, [card(1900)], codes=list(codes), **kw)
    v5 = welcome(1)
    decoded = pos.decode(pos.SALE, v5)
    check("a version-5 sale decodes: lines with tax categories, an empty record as none, no skip reason, the codes",
          v5[0] == 5 and decoded["codes"] == ["WELCOME2"] and decoded["record"] is None and decoded["skipped"] == []
          and decoded["lines"][1]["tax"] == 1 and decoded["lines"][1]["discounts"] == [("promo.code-welcome2", 86)])
    check("sales of versions 1-4 decode with no code",
          pos.decode(pos.SALE, sale_body(1, discounted, 900, 2100, 200, 157, 1900, [card(1900)], version=1))["codes"] == []
          and pos.decode(pos.SALE, sale_body(1, discounted, 900, 2100, 200, 157, 1900, [card(1900)],
                                             skipped=[WELCOME2_REASON]))["codes"] == [])
    check("the WELCOME2 sale over S$20 encodes as version 5: empty record, empty skip list, the code",
          priced_body(m, v5) == v5 and pos.enc_sale_body(decoded) == v5
          and v5.endswith(i64(0) + u8(0) + u32b(0) + u32b(0) + u32b(1) + enc_str("WELCOME2")))
    check("a version-5 sale with an empty code list is a decoding error (1)",
          not decodes(pos.SALE, welcome(1, codes=())) and m.till(pos.SALE, welcome(1, codes=())) == 1)
    check("a version-5 sale with 9 codes or a code of 33 bytes is a decoding error; 8 codes and 32 bytes decode",
          not decodes(pos.SALE, welcome(1, codes=[f"C{n}" for n in range(9)]))
          and decodes(pos.SALE, welcome(1, codes=[f"C{n}" for n in range(8)]))
          and not decodes(pos.SALE, welcome(1, codes=["X" * 33])) and decodes(pos.SALE, welcome(1, codes=["X" * 32])))
    check("the WELCOME2 discount recorded without the code (version 1) is 302", m.till(pos.SALE, sale_body(
        1, discounted, 900, 2100, 200, 157, 1900, [card(1900)], version=1)) == 302)
    for name, codes in (("an unknown code (no active rule names it)", ["SUMMER5"]),
                        ("the code in lower case (bytewise)", ["welcome2"]),
                        ("a code only a rule not yet active names", ["WELCOME2", "LATER"]),
                        ("the code twice", ["WELCOME2", "WELCOME2"]), ("a code with a space", ["WELCOME 2"]),
                        ("an empty code", ["WELCOME2", ""]), ("a code with a tab", ["WELCOME2\t"]),
                        ("a code with a non-ASCII character", ["WELCOME\u00e92"])):
        check(f"a sale with {name} is 17", m.till(pos.SALE, welcome(1, codes=codes)) == 17)
    check("a training sale with an unknown code is 17 too",
          m.till(pos.SALE, welcome(1, codes=["SUMMER5"], training=True)) == 17)
    check("the WELCOME2 sale over S$20 with its code accepted, S$2 off", m.till(pos.SALE, v5) == 0
          and (pos.get_books(m.state, 1)["period"])["discount_total"] == 200)
    check("the sale record holds no code (version 1); proportional returns write no pricing record",
          m.state.get(pos.k_sale(bytes([m.n]) * 32), b"\0")[0] == 1 and not any(k[:1] in (b"\x20", b"\x21", b"\x22") for k in m.state))

    # The same basket without the code: the rule skips with no reason: no discount, version 1. Nets 1200,
    # 900; GST tax(2100) = halfup(1 890 000 / 10 900) = 173 split 98 (rem 1800) + 1 = 99, 74 (rem 300).
    plain = sale_body(2, [("TEA", "drinks", 1, 1200, True, 1, [], 1200, 99),
                          ("MUG", "kitchen", 1, 900, True, 1, [], 900, 74)], 900, 2100, 0, 173, 2100, [card(2100)],
                      version=1)
    check("the same basket without the code: no discount, version 1", priced_body(m, plain) == plain
          and m.till(pos.SALE, plain) == 0)

    # TEA alone (1200 < S$20) with the code: the rule skips with its reason; GST tax(1200) = 99.
    # Version 5 holding both the skip reason and the code.
    under = sale_body(3, [("TEA", "drinks", 1, 1200, True, 1, [], 1200, 99)], 900, 1200, 0, 99, 1200, [card(1200)],
                      skipped=[WELCOME2_REASON], codes=["WELCOME2"])
    check("under S$20 with the code: version 5 with the skip reason and the code", priced_body(m, under) == under
          and pos.decode(pos.SALE, under)["skipped"] == [WELCOME2_REASON] and under[0] == 5)
    check("under S$20 with the code but without the skip reason is 302", m.till(pos.SALE, sale_body(
        3, [("TEA", "drinks", 1, 1200, True, 1, [], 1200, 99)], 900, 1200, 0, 99, 1200, [card(1200)],
        codes=["WELCOME2"])) == 302)
    check("under S$20 with the code, recorded as version 4 (no code) is 302 (the rule skips without a reason)",
          m.till(pos.SALE, sale_body(3, [("TEA", "drinks", 1, 1200, True, 1, [], 1200, 99)], 900, 1200, 0, 99, 1200,
                                     [card(1200)], skipped=[WELCOME2_REASON])) == 302)
    check("under S$20 with the code accepted", m.till(pos.SALE, under) == 0)
    bare = Machine()
    tea = sale_body(1, [("TEA", "drinks", 1, 1200, True, 1, [], 1200, 99)], 900, 1200, 0, 99, 1200, [card(1200)],
                    version=1)
    check("without any rule deployed a sale with a code is 17, without one it passes", [
        bare.apply(pos.SET_PRICES, set_prices([("TEA", "drinks", 1200, True, 1)], version=1)),
        bare.till(pos.SHIFT_OPEN, u8(1) + i64(0)),
        bare.till(pos.SALE, sale_body(1, [("TEA", "drinks", 1, 1200, True, 1, [], 1200, 99)], 900, 1200, 0, 99, 1200,
                                      [card(1200)], codes=["WELCOME2"])), bare.till(pos.SALE, tea)] == [0, 0, 17, 0])

    # Sale pricing records of version 2 (§13.3).
    record_v1 = pricing_bytes(T0, b"\5" * 32, 0, 0, 0, 0, 2, 1, 1, [("drinks", 1200, True)], [], [], [])
    record_v2 = pricing_bytes(T0, b"\5" * 32, 0, 0, 0, 0, 2, 1, 1, [("drinks", 1200, True)], [], [], [], ["WELCOME2"])

    def pricing(raw):
        try:
            return pos.get_sale_pricing({pos.k_sale_pricing(b"\0" * 32): raw}, b"\0" * 32)
        except (ValueError, UnicodeDecodeError):
            return None
    check("a version-2 sale pricing record reads its codes and encodes back; version 1 has none",
          (pricing(record_v2) or {}).get("codes") == ["WELCOME2"] and pos.enc_sale_pricing(pricing(record_v2)) == record_v2
          and (pricing(record_v1) or {}).get("codes") == [] and pos.enc_sale_pricing(pricing(record_v1)) == record_v1)
    check("a version-2 sale pricing record without a code, a version-1 record followed by codes and a version 3 "
          "are decoding errors",
          pricing(pricing_bytes(T0, b"\5" * 32, 0, 0, 0, 0, 2, 1, 1, [], [], [], [], [])) is None
          and pricing(record_v1 + u32b(1) + enc_str("WELCOME2")) is None and pricing(u8(3) + record_v2[1:]) is None)

    # Re-priced returns (configure version 4): TEA + MUG x2 = 3000 with WELCOME2: S$2 split 80, 120
    # (exact); nets 1120, 1680 = 2800; GST tax(2800) = halfup(2 520 000 / 10 900) = 231 split
    # 231 x 1120 / 2800 = 92 (rem 1120), 231 x 1680 / 2800 = 138 (rem 1680) + 1 = 139.
    r = Machine()
    check("re-priced codes: setup", [
        r.apply(pos.SET_PRICES, set_prices([("TEA", "drinks", 1200, True, 1), ("MUG", "kitchen", 900, True, 1)],
                                           version=1)),
        r.apply(pos.DEPLOY_RULE, deploy(WELCOME2), pos.ROLE_ADMIN), r.apply(pos.CONFIGURE, configure4(), pos.ROLE_ADMIN),
        r.till(pos.SHIFT_OPEN, u8(1) + i64(0))] == [0] * 4)
    basket = [("TEA", "drinks", 1, 1200, True, 1, [("promo.code-welcome2", 80)], 1120, 92),
              ("MUG", "kitchen", 2, 900, True, 1, [("promo.code-welcome2", 120)], 1680, 139)]
    check("re-priced: sale X (TEA + MUG x2, WELCOME2) accepted", r.till(pos.SALE, sale_body(
        1, basket, 900, 3000, 200, 231, 2800, [card(2800)], codes=["WELCOME2"])) == 0)
    sale_x = bytes([r.n]) * 32
    h = sha(rule_set_bytes([("promo.code-welcome2", sha(WELCOME2.encode()))]))
    x_record = pricing_bytes(T0, h, 0, 0, 0, 0, 2, 1, 1, [("drinks", 1200, True), ("kitchen", 900, True)], [], [], [],
                             ["WELCOME2"])
    check("sale X stores a version-2 sale pricing record with the code",
          r.state.get(b"\x22" + sale_x) == x_record and r.state.get(b"\x22" + sale_x, b"\0")[0] == 2
          and (pos.get_sale_pricing(r.state, sale_x) or {}).get("codes") == ["WELCOME2"])
    check("re-priced: sale Y (the same basket) accepted", r.till(pos.SALE, sale_body(
        2, basket, 900, 3000, 200, 231, 2800, [card(2800)], codes=["WELCOME2"])) == 0)
    sale_y = bytes([r.n]) * 32
    check("a sale without the code under re-priced returns stores a version-1 record", r.till(pos.SALE, sale_body(
        3, [("TEA", "drinks", 1, 1200, True, 1, [], 1200, 99)], 900, 1200, 0, 99, 1200, [card(1200)], version=1)) == 0
        and r.state.get(b"\x22" + bytes([r.n]) * 32, b"\0")[0] == 1)

    # Return X: one MUG of sale X: halfup(1680 / 2) = 840, GST halfup(139 / 2) = 70; c = 840. Kept TEA +
    # MUG = 2100 >= S$20 with the record's WELCOME2: S$2 stays, split 114, 86 (as above): nets 1086, 814,
    # GST 157 split 90, 67. m = 1120 / 92 and 1680 - 840 = 840 / 139 - 70 = 69: deltas -34 (GST -2) and
    # -26 (GST -2), sum -60 <= c. Amount 840 + 60 = 900, GST 70 + 4 = 74: the kept 1900 of the 2800 paid.
    def return_x(adjustments, amount, gst):
        return refund_body(sale_x, 1, [(1, 1, 840, 70)], 900, amount, gst, [card(amount)], 0, adjustments)
    check("return X proportionally (no adjustments) is 302", r.till(pos.REFUND, return_x(None, 840, 70)) == 302)
    # Re-priced without the code the kept 2100 would lose the discount: nets 1200, 900, GST 173 split 99,
    # 74: deltas 80 (GST 7), 60 (GST 5): amount 700, GST 58 — not what the record's code gives.
    check("return X re-priced as if without the code is 302",
          r.till(pos.REFUND, return_x([(0, 80, 7), (1, 60, 5)], 700, 58)) == 302)
    check("return X keeps the discount: adjustments (0, -34, -2), (1, -26, -2), amount 900, GST 74",
          r.till(pos.REFUND, return_x([(0, -34, -2), (1, -26, -2)], 900, 74)) == 0)
    record = pos.get_sale(r.state, sale_x) or {"lines": []}
    check("return X: the kept lines hold 1086 / 90 and 814 / 67 left",
          [l[1:7] for l in record["lines"]] == [[1, 1086, 90, 0, 0, 0], [2, 1654, 137, 1, 840, 70]])
    check("return X: the pricing record is written again, still version 2 with the code",
          r.state.get(b"\x22" + sale_x) == x_record and b"\x22" + sale_x in r.written)

    # Return Y: the TEA of sale Y (the whole line: 1120, GST 92; c = 1120). Kept MUG x2 = 1800 < S$20:
    # the rule skips, no discount: net 1800, GST tax(1800) = halfup(1 620 000 / 10 900) = 149. m = 1680 /
    # 139: delta 120 (GST 10) <= c. Amount 1120 - 120 = 1000, GST 92 - 10 = 82: the S$2 clawed back
    # (80 of it went with the TEA, 120 from the kept MUGs).
    def return_y(adjustments, amount, gst):
        return refund_body(sale_y, 2, [(0, 1, 1120, 92)], 900, amount, gst, [card(amount)], 0, adjustments)
    check("return Y proportionally (no adjustments) is 302", r.till(pos.REFUND, return_y(None, 1120, 92)) == 302)
    check("return Y claws the S$2 back: adjustment (1, 120, 10), amount 1000, GST 82",
          r.till(pos.REFUND, return_y([(1, 120, 10)], 1000, 82)) == 0)
    check("return Y: the rest (the MUGs at 1800 / 149) back with no adjustment; 1000 + 1800 = 2800 paid",
          r.till(pos.REFUND, refund_body(sale_y, 3, [(1, 2, 1800, 149)], 900, 1800, 149, [card(1800)])) == 0
          and pos.get_books(r.state, 1)["period"]["refunds_total"] == 900 + 1000 + 1800)

    # Re-pricing runs the record's codes without the codes check: a code no rule names passes
    # there (a sale is refused with 17 by price_sale, before step 3: the cases above).
    ctx = pos.Context(State(r.state), r.g, OUTLET, {"role": pos.ROLE_TILL, "principal": "till-01"}, b"\1" * 32,
                      b"\0" * 32, T0)
    settings = {"point_value": 0, "ppd": 1, "tender": False, "rounding": False, "earning": "built-in-plus-rules"}

    def kept(codes, repricing):
        try:
            return pos.price_basket(ctx, settings, [{"sku": "MUG", "category": "kitchen", "qty": 3, "unit": 900,
                                                     "incl": True, "tax": 1, "discounts": []}],
                                    "", pos.rules_language.Customer(), None, 0, False, [], repricing=repricing,
                                    codes=codes)["discount"]
        except Reject as rejection:
            return rejection.code
    check("re-pricing: the codes reach the rules (S$2 off 2700), unchecked (an unknown code passes)",
          kept(["WELCOME2"], True) == 200 and kept(["WELCOME2", "NOPE"], True) == 200 and kept([], True) == 0
          and kept(["WELCOME2"], False) == 200)


# --- coupons (FORMAT.md §13.1 and §13.2 issue-coupons 0x0114, §13.3 coupons 0x23, §13.4 step 4's codes
# check, §13.5 sale *Coupons*, refund *Re-pricing*, void, issue-coupons) -----------------------------

NEXT3_REDEEM = ('rule "promo.next3-redeem" version 1 { lang 1 priority 360 coupon "NEXT3" '
                'emit basket_discount(min(S$3.00, basket.subtotal), "NEXT3") }')
NEXT3_ISSUE = ('rule "promo.next3-issue" version 1 { lang 1 priority 370 issues "NEXT3" days 30 '
               'require basket.subtotal >= S$30.00 else skip }')
DAY = 20_787          # day(T0): (1 796 000 000 000 + 28 800 000) // 86 400 000
ZERO = b"\0" * 32


def issue_body(campaign, member, valid_from, valid_until, hashes, version=1):
    """An issue-coupons body (§13.2), written here apart from pos.py."""
    return (u8(version) + enc_str(campaign) + enc_str(member) + i64(valid_from) + i64(valid_until)
            + u32b(len(hashes)) + b"".join(hashes))


def used_codes(codes):
    """A `sale coupons` record (§13.3 0x24, no version byte): list(8) of string(32)."""
    return u32b(len(codes)) + b"".join(enc_str(code) for code in codes)


def coupon_writes(machine):
    """The `coupons` (0x23) and `sale coupons` (0x24) keys the last body wrote, sorted."""
    return sorted(k for k in machine.written if k[:1] in (b"\x23", b"\x24"))


def coupon_bytes(campaign, member, valid_from, valid_until, issued_by, used_by=ZERO):
    """A `coupons` record (§13.3, version 1)."""
    return (u8(1) + enc_str(campaign) + enc_str(member) + i64(valid_from) + i64(valid_until) + issued_by
            + used_by)


def next_code(txid, k):
    """§13.5 sale *Coupons*: "C" and the first 12 upper-case hex digits of SHA-256(txid ‖ u32 k)."""
    return "C" + hashlib.sha256(txid + struct.pack(">I", k)).hexdigest().upper()[:12]


def coupons(check, decodes):
    sha = lambda b: hashlib.sha256(b).digest()  # noqa: E731
    key = lambda code: b"\x23" + sha(code.encode())  # noqa: E731
    used = lambda txid: b"\x24" + txid  # noqa: E731
    check("day(T0) by hand", DAY == (T0 + 28_800_000) // 86_400_000)

    # Decoding.
    body = issue_body("NEXT3", "", DAY, DAY + 10, [sha(b"A"), sha(b"B")])
    check("issue-coupons decodes", pos.decode(pos.ISSUE_COUPONS, body) == {
        "campaign": "NEXT3", "member": "", "from": DAY, "until": DAY + 10, "hashes": [sha(b"A"), sha(b"B")]})
    check("issue-coupons of version 2, with 1001 hashes, a campaign of 33 bytes, a short hash or a byte more "
          "are decoding errors; 1000 hashes decode",
          not decodes(pos.ISSUE_COUPONS, u8(2) + body[1:])
          and not decodes(pos.ISSUE_COUPONS, issue_body("NEXT3", "", 0, 0, [sha(b"%d" % n) for n in range(1001)]))
          and decodes(pos.ISSUE_COUPONS, issue_body("NEXT3", "", 0, 0, [sha(b"%d" % n) for n in range(1000)]))
          and not decodes(pos.ISSUE_COUPONS, issue_body("N" * 33, "", 0, 0, [sha(b"A")]))
          and not decodes(pos.ISSUE_COUPONS, body[:-1]) and not decodes(pos.ISSUE_COUPONS, body + b"\0"))

    m = Machine()
    check("coupons: setup", [
        m.apply(pos.SET_PRICES, set_prices([("BAG", "misc", 2000, True, 1), ("PEN", "misc", 500, True, 1),
                                            ("BOOK", "misc", 3500, True, 1)], version=1)),
        m.apply(pos.DEPLOY_RULE, deploy(NEXT3_REDEEM), pos.ROLE_ADMIN),
        m.apply(pos.DEPLOY_RULE, deploy(NEXT3_ISSUE), pos.ROLE_ADMIN),
        m.apply(pos.ENROL, u8(1) + enc_str("M1")), m.apply(pos.ENROL, u8(1) + enc_str("M2")),
        m.till(pos.SHIFT_OPEN, u8(1) + i64(0))] == [0] * 6)

    # issue-coupons: the operator issues four NEXT3 coupons for anyone, valid DAY - 1 ... DAY + 10.
    codes = ["NEXT3-AAAA", "NEXT3-BBBB", "NEXT3-CCCC", "NEXT3-DDDD"]
    check("issue-coupons by the operator accepted",
          m.apply(pos.ISSUE_COUPONS, issue_body("NEXT3", "", DAY - 1, DAY + 10, [sha(c.encode()) for c in codes])) == 0)
    issue_tx = bytes([m.n]) * 32
    check("issue-coupons writes coupons[SHA-256(code)] = (campaign, member, from, until, the tx id, 32 zero bytes)",
          all(m.state.get(key(c)) == coupon_bytes("NEXT3", "", DAY - 1, DAY + 10, issue_tx) for c in codes)
          and coupon_writes(m) == sorted(key(c) for c in codes))
    check("issue-coupons by an admin, for member M2, valid today only, accepted",
          m.apply(pos.ISSUE_COUPONS, issue_body("NEXT3", "M2", DAY, DAY, [sha(b"M2-ONLY")]), pos.ROLE_ADMIN) == 0
          and m.state.get(key("M2-ONLY")) == coupon_bytes("NEXT3", "M2", DAY, DAY, bytes([m.n]) * 32))
    check("an expired coupon (until DAY - 1) and one valid from tomorrow issued", [
        m.apply(pos.ISSUE_COUPONS, issue_body("NEXT3", "", DAY - 40, DAY - 1, [sha(b"NEXT3-OLD")])),
        m.apply(pos.ISSUE_COUPONS, issue_body("NEXT3", "", DAY + 1, DAY + 5, [sha(b"NEXT3-SOON")]))] == [0, 0])
    ok = [sha(b"NEW-1")]
    for name, b, want in (
            ("an empty campaign", issue_body("", "", DAY, DAY, ok), 17),
            ("a campaign with a space", issue_body("NEXT 3", "", DAY, DAY, ok), 17),
            ("a campaign with a non-ASCII character", issue_body("NEXT\u00e9", "", DAY, DAY, ok), 17),
            ("a campaign with a tab", issue_body("NEXT3\t", "", DAY, DAY, ok), 17),
            ("an unknown member", issue_body("NEXT3", "M9", DAY, DAY, ok), 308),
            ("valid from after valid until", issue_body("NEXT3", "", DAY + 1, DAY, ok), 17),
            ("valid from below 0", issue_body("NEXT3", "", -1, DAY, ok), 17),
            ("valid until above 1 000 000", issue_body("NEXT3", "", DAY, 1_000_001, ok), 17),
            ("an empty hash list", issue_body("NEXT3", "", DAY, DAY, []), 17),
            ("a hash twice", issue_body("NEXT3", "", DAY, DAY, [sha(b"NEW-1"), sha(b"NEW-2"), sha(b"NEW-1")]), 316),
            ("a hash already issued", issue_body("NEXT3", "", DAY, DAY, [sha(b"NEW-1"), sha(b"NEXT3-BBBB")]), 316),
            ("a bad campaign and an unknown member (the campaign first)", issue_body("", "M9", DAY, DAY, ok), 17),
            ("an unknown member and from > until (the member first)", issue_body("NEXT3", "M9", 2, 1, ok), 308),
            ("from > until and an empty list (the days first)", issue_body("NEXT3", "", 2, 1, []), 17),
            ("a campaign of 33 bytes (decoding)", issue_body("N" * 33, "", DAY, DAY, ok), 1)):
        check(f"issue-coupons with {name} is {want}", m.apply(pos.ISSUE_COUPONS, b) == want)
    check("issue-coupons with valid from = until = 0 and = 1 000 000 accepted",
          m.apply(pos.ISSUE_COUPONS, issue_body("EDGE", "", 0, 0, [sha(b"EDGE-0")])) == 0
          and m.apply(pos.ISSUE_COUPONS, issue_body("EDGE", "", 1_000_000, 1_000_000, [sha(b"EDGE-1")])) == 0)
    check("issue-coupons signed by a till is 10, before the body's rules", m.till(pos.ISSUE_COUPONS, issue_body(
        "NEXT3", "", DAY, DAY, ok)) == 10 and m.till(pos.ISSUE_COUPONS, issue_body("", "M9", 2, 1, [])) == 10)
    check("the refused bodies wrote nothing", m.state.get(key("NEW-1")) is None and m.state.get(key("NEW-2")) is None)

    # A guest's BAG (2000) with a NEXT3 coupon: S$3 off (min(300, 2000)); the issuing rule then sees
    # 1700 < S$30 and skips (no reason). Net 1700, GST tax(1700) = halfup(1 530 000 / 10 900) = 140.
    # No rule record, no skip reason: version 5 for the code.
    def bag(receipt, codes, **kw):
        return sale_body(receipt, [("BAG", "misc", 1, 2000, True, 1, [("promo.next3-redeem", 300)], 1700, 140)], 900,
                         2000, 300, 140, 1700, [card(1700)], codes=list(codes), **kw)
    bare_bag = sale_body(1, [("BAG", "misc", 1, 2000, True, 1, [], 2000, 165)], 900, 2000, 0, 165, 2000, [card(2000)],
                         version=1)
    check("a BAG without a coupon: no discount (GST tax(2000) = 165), version 1", priced_body(m, bare_bag) == bare_bag)
    check("the coupon's S$3 recorded without the code is 302", m.till(pos.SALE, sale_body(
        1, [("BAG", "misc", 1, 2000, True, 1, [("promo.next3-redeem", 300)], 1700, 140)], 900, 2000, 300, 140, 1700,
        [card(1700)], version=1)) == 302)
    check("the code without the S$3 recorded is 302", m.till(pos.SALE, sale_body(
        1, [("BAG", "misc", 1, 2000, True, 1, [], 2000, 165)], 900, 2000, 0, 165, 2000, [card(2000)],
        codes=["NEXT3-AAAA"])) == 302)
    check("a training sale keying NEXT3-BBBB is priced with the S$3 off and accepted",
          priced_body(m, bag(1, ["NEXT3-BBBB"], training=True)) == bag(1, ["NEXT3-BBBB"], training=True)
          and m.till(pos.SALE, bag(1, ["NEXT3-BBBB"], training=True)) == 0)
    check("the training sale used no coupon: NEXT3-BBBB unchanged and not written, no sale coupons record",
          m.state.get(key("NEXT3-BBBB")) == coupon_bytes("NEXT3", "", DAY - 1, DAY + 10, issue_tx)
          and coupon_writes(m) == [] and used(bytes([m.n]) * 32) not in m.state)
    check("the guest's BAG with NEXT3-AAAA accepted, S$3 off", m.till(pos.SALE, bag(2, ["NEXT3-AAAA"])) == 0
          and pos.get_books(m.state, 1)["period"]["discount_total"] == 300)
    sale_a = bytes([m.n]) * 32
    check("NEXT3-AAAA is used by the sale (its record's last 32 bytes), nothing issued",
          m.state.get(key("NEXT3-AAAA")) == coupon_bytes("NEXT3", "", DAY - 1, DAY + 10, issue_tx, sale_a))
    check("sale coupons[sale] = [NEXT3-AAAA]; nothing else of coupons written",
          m.state.get(used(sale_a)) == used_codes(["NEXT3-AAAA"])
          and coupon_writes(m) == sorted([key("NEXT3-AAAA"), used(sale_a)]))
    for name, codes, kw, want in (
            ("NEXT3-AAAA again (used)", ["NEXT3-AAAA"], {}, 316),
            ("NEXT3-AAAA again in training (checked too)", ["NEXT3-AAAA"], {"training": True}, 316),
            ("an unknown code", ["NEXT3-ZZZZ"], {}, 17),
            ("an expired coupon", ["NEXT3-OLD"], {}, 17),
            ("a coupon valid from tomorrow", ["NEXT3-SOON"], {}, 17),
            ("M2's coupon for a guest", ["M2-ONLY"], {}, 17),
            ("M2's coupon for M1", ["M2-ONLY"], {"member": "M1"}, 17),
            ("a coupon code in lower case (another hash)", ["next3-bbbb"], {}, 17),
            ("a coupon keyed twice", ["NEXT3-BBBB", "NEXT3-BBBB"], {}, 17),
            ("an unknown member with an unknown code (the member first)", ["NEXT3-ZZZZ"], {"member": "M9"}, 308)):
        check(f"a sale with {name} is {want}", m.till(pos.SALE, bag(3, codes, **kw)) == want)
    check("the refused sales wrote nothing", m.state.get(key("NEXT3-AAAA")) == coupon_bytes(
        "NEXT3", "", DAY - 1, DAY + 10, issue_tx, sale_a)
        and m.state.get(key("NEXT3-BBBB")) == coupon_bytes("NEXT3", "", DAY - 1, DAY + 10, issue_tx))
    check("M2's coupon for M2, valid today only (both days included), accepted",
          m.till(pos.SALE, bag(3, ["M2-ONLY"], member="M2")) == 0
          and m.state.get(key("M2-ONLY"))[-32:] == bytes([m.n]) * 32)

    # Two NEXT3 coupons keyed: the one coupon rule takes the first keyed; the second stays unused.
    check("a BAG with NEXT3-CCCC and NEXT3-DDDD: S$3 off once, accepted", m.till(pos.SALE, bag(
        4, ["NEXT3-CCCC", "NEXT3-DDDD"])) == 0)
    check("NEXT3-CCCC used, NEXT3-DDDD not (and not written); the sale's used codes: NEXT3-CCCC",
          m.state.get(key("NEXT3-CCCC"))[-32:] == bytes([m.n]) * 32
          and m.state.get(key("NEXT3-DDDD")) == coupon_bytes("NEXT3", "", DAY - 1, DAY + 10, issue_tx)
          and m.state.get(used(bytes([m.n]) * 32)) == used_codes(["NEXT3-CCCC"])
          and coupon_writes(m) == sorted([key("NEXT3-CCCC"), used(bytes([m.n]) * 32)]))

    # M1's BOOK (3500): no coupon, so the redeeming rule skips; the issuing rule sees 3500 >= S$30 and
    # applies: coupon 0 of the sale, for M1, valid DAY ... DAY + 30. GST tax(3500) = halfup(3 150 000 /
    # 10 900) = 289. Automatic earning with rules active: the rules' 0 points; version 1.
    book = sale_body(5, [("BOOK", "misc", 1, 3500, True, 1, [], 3500, 289)], 900, 3500, 0, 289, 3500, [card(3500)],
                     version=1, member="M1")
    check("M1's BOOK priced as version 1", priced_body(m, book) == book)
    check("a training BOOK (the issuing rule applies) issues nothing", m.till(pos.SALE, sale_body(
        5, [("BOOK", "misc", 1, 3500, True, 1, [], 3500, 289)], 900, 3500, 0, 289, 3500, [card(3500)], version=1,
        training=True)) == 0 and coupon_writes(m) == []
        and not any(k[:1] == b"\x23" and m.state[k][-64:-32] == bytes([m.n]) * 32 for k in m.state))
    check("M1's BOOK accepted", m.till(pos.SALE, sale_body(
        6, [("BOOK", "misc", 1, 3500, True, 1, [], 3500, 289)], 900, 3500, 0, 289, 3500, [card(3500)], version=1,
        member="M1")) == 0)
    sale_i = bytes([m.n]) * 32
    code_i = next_code(sale_i, 0)
    check("the issued code is 'C' and 12 upper-case hex digits", len(code_i) == 13 and code_i[0] == "C"
          and all(ch in "0123456789ABCDEF" for ch in code_i[1:]))
    check("the sale issued coupon 0: (NEXT3, M1, DAY, DAY + 30, the sale, unused), nothing else (it used none)",
          m.state.get(key(code_i)) == coupon_bytes("NEXT3", "M1", DAY, DAY + 30, sale_i)
          and coupon_writes(m) == [key(code_i)] and used(sale_i) not in m.state
          and m.state.get(key(next_code(sale_i, 1))) is None)
    check("the issued coupon is M1's: a guest keying it is 17, M2 keying it is 17", [
        m.till(pos.SALE, bag(7, [code_i])), m.till(pos.SALE, bag(7, [code_i], member="M2"))] == [17, 17])
    check("M1 keying the issued code: S$3 off, accepted", m.till(pos.SALE, bag(7, [code_i], member="M1")) == 0)
    sale_j = bytes([m.n]) * 32
    check("the issued coupon is used by that sale", m.state.get(key(code_i)) == coupon_bytes(
        "NEXT3", "M1", DAY, DAY + 30, sale_i, sale_j) and m.state.get(used(sale_j)) == used_codes([code_i]))

    # A sale that uses and issues: BOOK + PEN = 4000 with NEXT3-BBBB. S$3 off split 300 x 3500 / 4000 =
    # 262 (rem 2000), 300 x 500 / 4000 = 37 (rem 2000), the tie to the earlier line: 263, 37; nets 3237,
    # 463 = 3700 >= S$30 (measured after the coupon's discount), so the issuing rule applies. GST
    # tax(3700) = halfup(3 330 000 / 10 900) = 306 split 267 (rem 2622) + 1 = 268, 38 (rem 1078).
    both = sale_body(8, [("BOOK", "misc", 1, 3500, True, 1, [("promo.next3-redeem", 263)], 3237, 268),
                         ("PEN", "misc", 1, 500, True, 1, [("promo.next3-redeem", 37)], 463, 38)], 900, 4000, 300,
                     306, 3700, [card(3700)], codes=["NEXT3-BBBB"])
    check("BOOK + PEN with NEXT3-BBBB priced as by hand", priced_body(m, both) == both)
    check("BOOK + PEN with NEXT3-BBBB accepted", m.till(pos.SALE, both) == 0)
    sale_u = bytes([m.n]) * 32
    code_u = next_code(sale_u, 0)
    check("it used NEXT3-BBBB and issued a guest's coupon 0",
          m.state.get(key("NEXT3-BBBB")) == coupon_bytes("NEXT3", "", DAY - 1, DAY + 10, issue_tx, sale_u)
          and m.state.get(key(code_u)) == coupon_bytes("NEXT3", "", DAY, DAY + 30, sale_u)
          and m.state.get(used(sale_u)) == used_codes(["NEXT3-BBBB"])
          and coupon_writes(m) == sorted([key("NEXT3-BBBB"), key(code_u), used(sale_u)]))

    # Voids.
    def void(txid):
        return u8(1) + txid + enc_str("wrong basket")
    check("void of the sale that used NEXT3-BBBB and issued a coupon accepted", m.till(pos.VOID, void(sale_u)) == 0)
    check("void: NEXT3-BBBB unused again (its issue bytes), the unused issued coupon and the sale coupons "
          "record deleted", m.state.get(key("NEXT3-BBBB")) == coupon_bytes("NEXT3", "", DAY - 1, DAY + 10, issue_tx)
          and key(code_u) not in m.state and used(sale_u) not in m.state
          and coupon_writes(m) == sorted([key("NEXT3-BBBB"), key(code_u), used(sale_u)]))
    check("the voided sale's code is 17 now; NEXT3-BBBB sells again", [
        m.till(pos.SALE, bag(9, [code_u])), m.till(pos.SALE, bag(9, ["NEXT3-BBBB"]))] == [17, 0])
    check("void of M1's BOOK, whose coupon M1 used since: the used coupon is kept as it is",
          m.till(pos.VOID, void(sale_i)) == 0
          and m.state.get(key(code_i)) == coupon_bytes("NEXT3", "M1", DAY, DAY + 30, sale_i, sale_j)
          and coupon_writes(m) == [])
    check("void of the sale that used it: unused again, not deleted (another sale issued it)",
          m.till(pos.VOID, void(sale_j)) == 0
          and m.state.get(key(code_i)) == coupon_bytes("NEXT3", "M1", DAY, DAY + 30, sale_i)
          and used(sale_j) not in m.state and coupon_writes(m) == sorted([key(code_i), used(sale_j)]))

    # "Written only when absent": a coupon issued under the code the next sale issues as its coupon 0
    # is left as it is, and the sale's void stops at it (not issued by the sale) and keeps it.
    planted_for = bytes([m.n + 2]) * 32
    check("a coupon planted under the next sale's coupon-0 code", m.apply(pos.ISSUE_COUPONS, issue_body(
        "OTHER", "", 0, 10, [sha(next_code(planted_for, 0).encode())])) == 0)
    planter = bytes([m.n]) * 32
    check("the next sale (BOOK, issuing) accepted; the planted record not written", m.till(pos.SALE, sale_body(
        10, [("BOOK", "misc", 1, 3500, True, 1, [], 3500, 289)], 900, 3500, 0, 289, 3500, [card(3500)],
        version=1)) == 0 and bytes([m.n]) * 32 == planted_for
        and m.state.get(key(next_code(planted_for, 0))) == coupon_bytes("OTHER", "", 0, 10, planter)
        and coupon_writes(m) == [] and key(next_code(planted_for, 1)) not in m.state)
    check("its void keeps the planted coupon", m.till(pos.VOID, void(planted_for)) == 0
          and m.state.get(key(next_code(planted_for, 0))) == coupon_bytes("OTHER", "", 0, 10, planter)
          and coupon_writes(m) == [])

    # A code a rule names with has_code is a promotion code, even with a coupon under its hash.
    check("a coupon under a promotion code's hash stays unused when the code is keyed", [
        m.apply(pos.DEPLOY_RULE, deploy(WELCOME2), pos.ROLE_ADMIN),
        m.apply(pos.ISSUE_COUPONS, issue_body("NEXT3", "", DAY, DAY, [sha(b"WELCOME2")])),
        m.till(pos.SALE, sale_body(11, [("BAG", "misc", 1, 2000, True, 1, [("promo.code-welcome2", 200)], 1800, 149)],
                                   900, 2000, 200, 149, 1800, [card(1800)], codes=["WELCOME2"]))] == [0, 0, 0]
        and m.state.get(key("WELCOME2"))[-32:] == ZERO)

    # The used codes are recorded in the order the rules used them, not the order keyed: YCAMP's rule
    # (priority 100) runs before the two NEXT3 rules (360, 380), which take the NEXT3 coupons in the
    # order keyed; the third NEXT3 coupon stays unused. BAG 2000: S$1 (1900), then min(S$3, 1900) = S$3
    # (1600), then S$0.50: net 1550, GST tax(1550) = halfup(1 395 000 / 10 900) = 128.
    o = Machine()
    ycamp = 'rule "promo.y-first" version 1 { priority 100 coupon "YCAMP" emit basket_discount(S$1.00, "Y") }'
    again = 'rule "promo.next3-again" version 1 { priority 380 coupon "NEXT3" emit basket_discount(S$0.50, "N2") }'
    check("used order: setup", [
        o.apply(pos.SET_PRICES, set_prices([("BAG", "misc", 2000, True, 1)], version=1)),
        o.apply(pos.DEPLOY_RULE, deploy(ycamp), pos.ROLE_ADMIN),
        o.apply(pos.DEPLOY_RULE, deploy(NEXT3_REDEEM), pos.ROLE_ADMIN),
        o.apply(pos.DEPLOY_RULE, deploy(again), pos.ROLE_ADMIN),
        o.apply(pos.ISSUE_COUPONS, issue_body("NEXT3", "", DAY, DAY, [sha(b"N-1"), sha(b"N-2"), sha(b"N-3")])),
        o.apply(pos.ISSUE_COUPONS, issue_body("YCAMP", "", DAY, DAY, [sha(b"Y-1")])),
        o.till(pos.SHIFT_OPEN, u8(1) + i64(0))] == [0] * 7)
    three = sale_body(1, [("BAG", "misc", 1, 2000, True, 1, [("promo.y-first", 100), ("promo.next3-redeem", 300),
                                                            ("promo.next3-again", 50)], 1550, 128)],
                      900, 2000, 450, 128, 1550, [card(1550)], codes=["N-1", "Y-1", "N-2", "N-3"])
    check("used order: the sale priced with three coupon discounts, accepted",
          priced_body(o, three) == three and o.till(pos.SALE, three) == 0)
    sale_o = bytes([o.n]) * 32
    check("used order: Y-1, N-1, N-2 used by the sale and recorded in that order; N-3 unused",
          o.state.get(used(sale_o)) == used_codes(["Y-1", "N-1", "N-2"])
          and all(o.state.get(key(c))[-32:] == sale_o for c in ("Y-1", "N-1", "N-2"))
          and o.state.get(key("N-3"))[-32:] == ZERO)
    check("used order: the void gives the three back and deletes the record", o.till(pos.VOID, void(sale_o)) == 0
          and all(o.state.get(key(c))[-32:] == ZERO for c in ("Y-1", "N-1", "N-2", "N-3"))
          and coupon_writes(o) == sorted([key("Y-1"), key("N-1"), key("N-2"), used(sale_o)]))

    # Re-priced returns: TEA 1200 + MUG x2 (900) = 3000 with NEXT3-R1: S$3 off split 120, 180 (exact);
    # nets 1080, 1620 = 2700 < S$30: nothing issued. GST tax(2700) = halfup(2 430 000 / 10 900) = 223
    # split 89 (rem 540), 133 (rem 2160) + 1 = 134.
    r = Machine()
    check("re-priced coupons: setup", [
        r.apply(pos.SET_PRICES, set_prices([("TEA", "drinks", 1200, True, 1), ("MUG", "kitchen", 900, True, 1)],
                                           version=1)),
        r.apply(pos.DEPLOY_RULE, deploy(NEXT3_REDEEM), pos.ROLE_ADMIN),
        r.apply(pos.DEPLOY_RULE, deploy(NEXT3_ISSUE), pos.ROLE_ADMIN),
        r.apply(pos.CONFIGURE, configure4(), pos.ROLE_ADMIN),
        r.apply(pos.ISSUE_COUPONS, issue_body("NEXT3", "", DAY, DAY + 7, [sha(b"NEXT3-R1")])),
        r.till(pos.SHIFT_OPEN, u8(1) + i64(0))] == [0] * 6)
    r_issue = bytes([r.n - 1]) * 32
    check("re-priced: the sale with NEXT3-R1 accepted", r.till(pos.SALE, sale_body(1, [
        ("TEA", "drinks", 1, 1200, True, 1, [("promo.next3-redeem", 120)], 1080, 89),
        ("MUG", "kitchen", 2, 900, True, 1, [("promo.next3-redeem", 180)], 1620, 134)], 900, 3000, 300, 223, 2700,
        [card(2700)], codes=["NEXT3-R1"])) == 0)
    sale_r = bytes([r.n]) * 32
    h = sha(rule_set_bytes([("promo.next3-issue", sha(NEXT3_ISSUE.encode())),
                            ("promo.next3-redeem", sha(NEXT3_REDEEM.encode()))]))
    r_record = pricing_bytes(T0, h, 0, 0, 0, 0, 2, 1, 1, [("drinks", 1200, True), ("kitchen", 900, True)], [], [], [],
                             ["NEXT3-R1"])
    check("re-priced: the pricing record holds the coupon code (version 2); the coupon is used",
          r.state.get(b"\x22" + sale_r) == r_record
          and r.state.get(key("NEXT3-R1")) == coupon_bytes("NEXT3", "", DAY, DAY + 7, r_issue, sale_r))

    # One MUG back: halfup(1620 / 2) = 810, GST halfup(134 / 2) = 67; c = 810. The kept TEA + MUG (2100)
    # gets the coupon the sale used: S$3 off split 300 x 1200 / 2100 = 171 (rem 900), 300 x 900 / 2100 =
    # 128 (rem 1200) + 1 = 129; nets 1029, 771 = 1800; GST tax(1800) = halfup(1 620 000 / 10 900) = 149
    # split 85 (rem 321), 63 (rem 1479) + 1 = 64. m = 1080 / 89 and 1620 - 810 = 810 / 134 - 67 = 67:
    # deltas -51 (GST -4), -39 (GST -3), sum -90 <= c. Amount 810 + 90 = 900, GST 67 + 7 = 74: the
    # customer keeps paying 2700 - 900 = 1800, the kept basket with the S$3 off.
    def one_mug(adjustments, amount, gst):
        return refund_body(sale_r, 1, [(1, 1, 810, 67)], 900, amount, gst, [card(amount)], 0, adjustments)
    check("re-priced: one MUG back proportionally (no adjustments) is 302",
          r.till(pos.REFUND, one_mug(None, 810, 67)) == 302)
    # Without the coupon the kept 2100 would pay full price: nets 1200, 900, GST tax(2100) = 173 split 99,
    # 74: deltas 120 (GST 10), 90 (GST 7): amount 600, GST 50.
    check("re-priced: one MUG back as if the kept basket lost the coupon is 302",
          r.till(pos.REFUND, one_mug([(0, 120, 10), (1, 90, 7)], 600, 50)) == 302)
    check("re-priced: one MUG back keeping the S$3: adjustments (0, -51, -4), (1, -39, -3), amount 900, GST 74",
          r.till(pos.REFUND, one_mug([(0, -51, -4), (1, -39, -3)], 900, 74)) == 0)
    record = pos.get_sale(r.state, sale_r) or {"lines": []}
    check("re-priced: the kept lines hold 1029 / 85 and 771 / 64",
          [l[2] - l[5] for l in record["lines"]] == [1029, 771] and [l[3] - l[6] for l in record["lines"]] == [85, 64])
    check("re-priced: the coupon stays used by the sale and is not written; nothing issued",
          r.state.get(key("NEXT3-R1")) == coupon_bytes("NEXT3", "", DAY, DAY + 7, r_issue, sale_r)
          and coupon_writes(r) == [] and r.state.get(b"\x22" + sale_r) == r_record
          and r.state.get(used(sale_r)) == used_codes(["NEXT3-R1"]))

    # Only coupons the sale used count in re-pricing: FREE is a promotion code (a rule names it) with a
    # NEXT3 coupon under its hash, never used. TEA x2 = 2400 keying FREE: no discount, GST tax(2400) =
    # halfup(2 160 000 / 10 900) = 198. One TEA back: 1200, GST 99; the kept TEA re-priced without a
    # coupon costs 1200 / 99 = what is left: no adjustment (with the unused coupon it would get S$3 off).
    free = 'rule "promo.free-word" version 1 { priority 100 require has_code("FREE") else skip }'
    check("re-priced: a rule naming FREE and a NEXT3 coupon under FREE's hash", [
        r.apply(pos.DEPLOY_RULE, deploy(free), pos.ROLE_ADMIN),
        r.apply(pos.ISSUE_COUPONS, issue_body("NEXT3", "", DAY, DAY, [sha(b"FREE")]))] == [0, 0])
    check("re-priced: TEA x2 keying FREE, no discount, accepted", r.till(pos.SALE, sale_body(
        2, [("TEA", "drinks", 2, 1200, True, 1, [], 2400, 198)], 900, 2400, 0, 198, 2400, [card(2400)],
        codes=["FREE"])) == 0 and r.state.get(key("FREE"))[-32:] == ZERO)
    sale_f = bytes([r.n]) * 32
    check("re-priced: one TEA back with an S$3 adjustment from the unused coupon is 302", r.till(
        pos.REFUND, refund_body(sale_f, 2, [(0, 1, 1200, 99)], 900, 1500, 124, [card(1500)], 0, [(0, -300, -25)])) == 302)
    check("re-priced: one TEA back without adjustments (the unused coupon is no coupon of the sale)", r.till(
        pos.REFUND, refund_body(sale_f, 2, [(0, 1, 1200, 99)], 900, 1200, 99, [card(1200)])) == 0
        and r.state.get(key("FREE"))[-32:] == ZERO)


# --- gift cards and member e-wallets (FORMAT.md §13.1 0x0135, §13.2, §13.3 0x25, §13.5) -----------

def cash(tendered, change=0):
    return u8(1) + i64(tendered) + i64(change)


def voucher(voucher_id, amount):
    return u8(5) + enc_str(voucher_id) + i64(amount)


def points_tender(points, amount):
    return u8(6) + i64(points) + i64(amount)


def load_body(card_hash, member, amount, tenders, version=1):
    """A gift-card-load body (§13.2), written here apart from pos.py."""
    return u8(version) + card_hash + enc_str(member) + i64(amount) + u32b(len(tenders)) + b"".join(tenders)


def card_bytes(member, balance, loaded, redeemed):
    """A `gift cards` record (§13.3 0x25, version 1)."""
    return u8(1) + enc_str(member) + i64(balance) + i64(loaded) + i64(redeemed)


def shift_bytes(number, last_receipt, last_credit, is_open, float_, cash_sales, cash_refunds, cash_in, cash_out, sales,
                drawer_opens=0):
    """A `shifts` record (§13.3 0x13, version 1)."""
    return (u8(1) + u64b(number) + u64b(last_receipt) + u64b(last_credit) + boolean(is_open)
            + b"".join(i64(v) for v in (float_, cash_sales, cash_refunds, cash_in, cash_out, sales, drawer_opens)))


def gift_cards(check, decodes):
    sha = lambda b: hashlib.sha256(b).digest()  # noqa: E731
    key = lambda h: b"\x25" + h  # noqa: E731
    shift_key = b"\x13" + u32b(OUTLET) + b"till-01"
    G, W, NEW = sha(b"GIFT-0001"), sha(b"M1-WALLET"), sha(b"GIFT-NEW")

    # Decoding.
    body = load_body(G, "M1", 5000, [cash(6000, 1000)])
    check("gift-card-load decodes", pos.decode(pos.GIFT_CARD_LOAD, body) == {
        "card": G, "member": "M1", "amount": 5000, "tenders": [{"kind": 1, "tendered": 6000, "change": 1000}]})
    check("gift-card-load of version 2, a byte short, a byte more or a member of 33 bytes: decoding errors",
          not decodes(pos.GIFT_CARD_LOAD, load_body(G, "M1", 5000, [cash(5000)], version=2))
          and not decodes(pos.GIFT_CARD_LOAD, body[:-1]) and not decodes(pos.GIFT_CARD_LOAD, body + b"\0")
          and not decodes(pos.GIFT_CARD_LOAD, load_body(G, "M" * 33, 5000, [cash(5000)])))

    m = Machine()
    check("gift cards: setup", [
        m.apply(pos.SET_PRICES, set_prices([("BAG", "misc", 2000, True, 1), ("PEN", "misc", 500, True, 1)],
                                           version=1)),
        m.apply(pos.ENROL, u8(1) + enc_str("M1")), m.apply(pos.ENROL, u8(1) + enc_str("M2"))] == [0] * 3)
    first = load_body(G, "", 5000, [cash(6000, 1000)])
    check("a load before the till's shift is open is 304, even of amount 0 with no tenders (the shift first)",
          m.till(pos.GIFT_CARD_LOAD, first) == 304 and m.till(pos.GIFT_CARD_LOAD, load_body(G, "M9", 0, [])) == 304)
    check("a load signed by an operator or an admin is 10 (the role before the shift)",
          m.apply(pos.GIFT_CARD_LOAD, first) == 10 and m.apply(pos.GIFT_CARD_LOAD, first, pos.ROLE_ADMIN) == 10)
    check("a malformed load is 1 whoever signs it", m.apply(pos.GIFT_CARD_LOAD, first + b"\0") == 1)
    check("shift-open with a float of S$100", m.till(pos.SHIFT_OPEN, u8(1) + i64(10_000)) == 0)
    books = m.state[pos.k_books(OUTLET)]

    # S$50 onto the bearer card GIFT-0001, paid S$60 cash with S$10 change: cash in 6000 - 1000 = 5000.
    check("a S$50 load paid in cash accepted", m.till(pos.GIFT_CARD_LOAD, first) == 0)
    check("the card record: (no member, balance 5000, loaded 5000, redeemed 0)",
          m.state.get(key(G)) == card_bytes("", 5000, 5000, 0))
    check("the shift: cash in 5000, no sale, no cash sales",
          m.state.get(shift_key) == shift_bytes(1, 0, 0, True, 10_000, 0, 0, 5000, 0, 0))
    check("the load wrote the card and the shift, nothing in the books",
          sorted(m.written) == sorted([key(G), shift_key]) and m.state[pos.k_books(OUTLET)] == books)
    copy = Machine()
    copy.state, copy.n = State(m.state), m.n
    check("expected cash = float 10 000 + cash in 5 000: a shift-close expecting 10 000 is 317, 15 000 accepted",
          copy.till(pos.SHIFT_CLOSE, u8(1) + i64(15_000) + i64(10_000) + i64(5000)) == 317
          and copy.till(pos.SHIFT_CLOSE, u8(1) + i64(15_000) + i64(15_000) + i64(0)) == 0)
    check("a second load, S$30 by card: balance and loaded 8000; the drawer unchanged (the shift written anyway)",
          m.till(pos.GIFT_CARD_LOAD, load_body(G, "", 3000, [card(3000)])) == 0
          and m.state.get(key(G)) == card_bytes("", 8000, 8000, 0)
          and m.state.get(shift_key) == shift_bytes(1, 0, 0, True, 10_000, 0, 0, 5000, 0, 0)
          and sorted(m.written) == sorted([key(G), shift_key]))
    check("M1's e-wallet: S$30 in cash for M1 accepted, (M1, 3000, 3000, 0), cash in 8000",
          m.till(pos.GIFT_CARD_LOAD, load_body(W, "M1", 3000, [cash(3000)])) == 0
          and m.state.get(key(W)) == card_bytes("M1", 3000, 3000, 0)
          and m.state.get(shift_key) == shift_bytes(1, 0, 0, True, 10_000, 0, 0, 8000, 0, 0))
    check("the loads left the books as they were", m.state[pos.k_books(OUTLET)] == books
          and pos.get_books(m.state, OUTLET)["period"]["tenders"] == [])

    for name, b, want in (
            ("amount 0", load_body(NEW, "", 0, [card(1)]), 17),
            ("a negative amount", load_body(NEW, "", -500, [card(500)]), 17),
            ("amount 10^8 + 1", load_body(NEW, "", 10 ** 8 + 1, [card(10 ** 8 + 1)]), 17),
            ("an unknown member", load_body(NEW, "M9", 500, [cash(500)]), 308),
            ("M2 onto M1's e-wallet", load_body(W, "M2", 500, [cash(500)]), 17),
            ("no member (a bearer load) onto M1's e-wallet", load_body(W, "", 500, [cash(500)]), 17),
            ("M1 onto the bearer card", load_body(G, "M1", 500, [cash(500)]), 17),
            ("no tenders", load_body(NEW, "", 500, []), 307),
            ("a points tender", load_body(NEW, "", 500, [points_tender(500, 500)]), 307),
            ("a card and a points tender", load_body(NEW, "", 500, [card(400), points_tender(100, 100)]), 307),
            ("a voucher tender", load_body(NEW, "", 500, [voucher("PAPER-9", 500)]), 307),
            ("a voucher tender naming a gift card", load_body(NEW, "", 500, [voucher("GIFT-0001", 500)]), 307),
            ("cash of 4000 for 5000", load_body(NEW, "", 5000, [cash(4000)]), 306),
            ("a card tender of 5001 for 5000", load_body(NEW, "", 5000, [card(5001)]), 306),
            ("cash change = tendered (the sale's tender checks)", load_body(NEW, "", 500, [cash(500, 500)]), 307),
            ("amount 0 and an unknown member (the amount first)", load_body(NEW, "M9", 0, [cash(500)]), 17),
            ("an unknown member and a points tender (the member first)",
             load_body(NEW, "M9", 500, [points_tender(500, 500)]), 308),
            ("another member's card and no tenders (the card first)", load_body(W, "M2", 500, []), 17),
            ("an unknown member onto M1's e-wallet (the member before the card)", load_body(W, "M9", 500, [cash(500)]),
             308),
            ("a voucher tender that does not add up (307 before 306)",
             load_body(NEW, "", 5000, [voucher("PAPER-9", 1)]), 307)):
        check(f"a load with {name} is {want}", m.till(pos.GIFT_CARD_LOAD, b) == want)
    check("the refused loads wrote nothing", key(NEW) not in m.state
          and m.state.get(key(G)) == card_bytes("", 8000, 8000, 0)
          and m.state.get(key(W)) == card_bytes("M1", 3000, 3000, 0)
          and m.state.get(shift_key) == shift_bytes(1, 0, 0, True, 10_000, 0, 0, 8000, 0, 0))

    # A card's balance + amount at most 10^10: a hundred loads of 10^8 reach it exactly; S$0.01 more is 17.
    big = Machine()
    big.till(pos.SHIFT_OPEN, u8(1) + i64(0))
    check("a hundred loads of 10^8 accepted: balance 10^10",
          [big.till(pos.GIFT_CARD_LOAD, load_body(sha(b"BIG"), "", 10 ** 8, [card(10 ** 8)])) for _ in range(100)]
          == [0] * 100 and big.state.get(key(sha(b"BIG"))) == card_bytes("", 10 ** 10, 10 ** 10, 0))
    check("one cent more is 17", big.till(pos.GIFT_CARD_LOAD, load_body(sha(b"BIG"), "", 1, [card(1)])) == 17)

    # A guest's BAG (2000; GST tax(2000) = halfup(1 800 000 / 10 900) = 165) paid S$15 by GIFT-0001 and S$5
    # by card: balance 8000 - 1500 = 6500, redeemed 1500; no `vouchers` entry.
    bag = lambda receipt, tenders, **kw: sale_body(  # noqa: E731
        receipt, [("BAG", "misc", 1, 2000, True, 1, [], 2000, 165)], 900, 2000, 0, 165, 2000, tenders, version=1, **kw)
    check("a BAG paid 1500 by the gift card and 500 by card accepted",
          m.till(pos.SALE, bag(1, [voucher("GIFT-0001", 1500), card(500)])) == 0)
    sale_g = bytes([m.n]) * 32
    check("the card: balance 6500, loaded 8000, redeemed 1500", m.state.get(key(G)) == card_bytes("", 6500, 8000, 1500))
    check("no vouchers entry for the gift card; the card written",
          b"\x17GIFT-0001" not in m.state and b"\x17GIFT-0001" not in m.written and key(G) in m.written)
    check("the books count the voucher tender as any sale's", pos.get_books(m.state, OUTLET)["period"]["tenders"]
          == [[3, 500], [5, 1500]])

    # Four BAGs: 8000, GST tax(8000) = halfup(7 200 000 / 10 900) = 661.
    bags = lambda receipt, tenders, **kw: sale_body(  # noqa: E731
        receipt, [("BAG", "misc", 4, 2000, True, 1, [], 8000, 661)], 900, 8000, 0, 661, 8000, tenders, version=1, **kw)
    check("6501 from a balance of 6500 is 306",
          m.till(pos.SALE, bags(2, [voucher("GIFT-0001", 6501), card(1499)])) == 306)
    check("in training too (the checks run)", m.till(pos.SALE, bags(
        2, [voucher("GIFT-0001", 6501), card(1499)], training=True)) == 306)
    check("a training sale of 6500 from the card accepted and the card untouched (not written)",
          m.till(pos.SALE, bags(2, [voucher("GIFT-0001", 6500), card(1500)], training=True)) == 0
          and m.state.get(key(G)) == card_bytes("", 6500, 8000, 1500) and key(G) not in m.written)
    check("the whole balance, 6500, accepted: (no member, 0, 8000, 8000)",
          m.till(pos.SALE, bags(3, [voucher("GIFT-0001", 6500), card(1500)])) == 0
          and m.state.get(key(G)) == card_bytes("", 0, 8000, 8000))
    sale_all = bytes([m.n]) * 32

    # M1's e-wallet pays a PEN (500; GST tax(500) = halfup(450 000 / 10 900) = 41); a member earns 5 points.
    pen = lambda receipt, tenders, **kw: sale_body(  # noqa: E731
        receipt, [("PEN", "misc", 1, 500, True, 1, [], 500, 41)], 900, 500, 0, 41, 500, tenders, version=1, **kw)
    check("a cent from an empty gift card is 306",
          m.till(pos.SALE, pen(4, [voucher("GIFT-0001", 1), card(499)])) == 306)
    check("M1's e-wallet for a guest is 17", m.till(pos.SALE, pen(4, [voucher("M1-WALLET", 500)])) == 17)
    check("M1's e-wallet for M2 is 17", m.till(pos.SALE, pen(4, [voucher("M1-WALLET", 500)], member="M2",
                                                            earned=5)) == 17)
    check("M1's e-wallet over its balance for M1 is 306 (the member, then the balance)", m.till(pos.SALE, sale_body(
        4, [("BAG", "misc", 2, 2000, True, 1, [], 4000, 330)], 900, 4000, 0, 330, 4000, [voucher("M1-WALLET", 3001),
                                                                                            card(999)],
        version=1, member="M1", earned=40)) == 306)
    check("the same e-wallet twice in a sale is 316",
          m.till(pos.SALE, pen(4, [voucher("M1-WALLET", 200), voucher("M1-WALLET", 300)], member="M1",
                               earned=5)) == 316)
    check("the e-wallet twice, the second over its balance, is 316 (not twice before the balance)",
          m.till(pos.SALE, pen(4, [voucher("M1-WALLET", 200), voucher("M1-WALLET", 4000)], member="M1",
                               earned=5)) == 316)
    check("the empty bearer card first and twice is 306 (its first tender fails the balance)",
          m.till(pos.SALE, pen(4, [voucher("GIFT-0001", 200), voucher("GIFT-0001", 300)])) == 306)
    check("M1's e-wallet for M1 accepted: (M1, 2500, 3000, 500), no vouchers entry",
          m.till(pos.SALE, pen(4, [voucher("M1-WALLET", 500)], member="M1", earned=5)) == 0
          and m.state.get(key(W)) == card_bytes("M1", 2500, 3000, 500) and b"\x17M1-WALLET" not in m.state)
    sale_w = bytes([m.n]) * 32

    # A refund of the guest's BAG: back onto the card (whose balance is 0: a refund is not held to it).
    back = lambda tenders: refund_body(sale_g, 1, [(0, 1, 2000, 165)], 900, 2000, 165, tenders)  # noqa: E731
    check("a refund of the guest's sale onto M1's e-wallet is 17 (the sale's member: none)",
          m.till(pos.REFUND, back([voucher("M1-WALLET", 1500), card(500)])) == 17)
    check("the refund back onto the gift card (1500) and the card (500) accepted",
          m.till(pos.REFUND, back([voucher("GIFT-0001", 1500), card(500)])) == 0)
    check("the card: balance 0 + 1500, loaded 8000, redeemed 8000 - 1500 = 6500; no vouchers entry",
          m.state.get(key(G)) == card_bytes("", 1500, 8000, 6500) and b"\x17GIFT-0001" not in m.state
          and b"\x17GIFT-0001" not in m.written)

    def void(txid):
        return u8(1) + txid + enc_str("wrong basket")
    check("the void of M1's PEN paid by the e-wallet accepted: (M1, 3000, 3000, 0), no vouchers delete",
          m.till(pos.VOID, void(sale_w)) == 0 and m.state.get(key(W)) == card_bytes("M1", 3000, 3000, 0)
          and key(W) in m.written and b"\x17M1-WALLET" not in m.written)
    check("the void of the four BAGs: the 6500 back, (no member, 8000, 8000, 0)",
          m.till(pos.VOID, void(sale_all)) == 0 and m.state.get(key(G)) == card_bytes("", 8000, 8000, 0)
          and b"\x17GIFT-0001" not in m.written)

    # An ordinary (paper) voucher still redeems once.
    check("a PEN paid by the paper voucher PAPER-1 accepted: vouchers[PAPER-1] = the sale",
          m.till(pos.SALE, pen(5, [voucher("PAPER-1", 500)])) == 0
          and m.state.get(b"\x17PAPER-1") == bytes([m.n]) * 32 and key(sha(b"PAPER-1")) not in m.state)
    sale_p = bytes([m.n]) * 32
    check("PAPER-1 again is 316", m.till(pos.SALE, pen(6, [voucher("PAPER-1", 500)])) == 316)
    check("the void of the paper voucher's sale deletes its vouchers entry", m.till(pos.VOID, void(sale_p)) == 0
          and b"\x17PAPER-1" not in m.state and b"\x17PAPER-1" in m.written)
    check("the drawer: float 10 000 + cash in 8000 (no cash sale): shift-close at 18 000 accepted",
          m.till(pos.SHIFT_CLOSE, u8(1) + i64(18_000) + i64(18_000) + i64(0)) == 0)


# --- tier review (FORMAT.md §13.2 configure v5, §13.3 members v2 and Tier review, §13.5) ---------

def configure5(review, point_value=1, ppd=1, months=12, tender=False, rounding=True, earning=1, expiry=2, returns=1):
    """A configure body of version 5 (§13.2), written here apart from pos.py."""
    return (u8(5) + i64(point_value) + i64(ppd) + i64(months) + boolean(tender) + boolean(rounding) + u8(earning)
            + u8(expiry) + u8(returns) + u8(review))


def member_bytes(tier, spend, lots=(), earned=0, redeemed=0, expired=0, period=None):
    """A `members` record (§13.3 0x12): version 2 with period = (start day, spend, tier)."""
    out = (u8(1 if period is None else 2) + u8(tier) + i64(spend) + u32b(len(lots))
           + b"".join(i64(d) + i64(p) for d, p in lots) + i64(earned) + i64(redeemed) + i64(expired))
    if period is not None:
        out += i64(period[0]) + i64(period[1]) + u8(period[2])
    return out


def adjust_body(member, delta):
    return u8(1) + enc_str(member) + i64(delta) + enc_str("goodwill")


def tier_review(check, decodes):
    import network

    def day(iso):
        return (datetime.date.fromisoformat(iso) - datetime.date(1970, 1, 1)).days

    def noon(iso):                                    # 12:00 in Singapore on that date
        return day(iso) * 86_400_000 + 4 * 3_600_000

    def period(machine, member):
        a = pos.get_member(machine.state, member) or {"tier": None, "period": None}
        p = a["period"]
        return a["tier"], None if p is None else (p["start"], p["spend"], p["tier"])

    # Decoding: configure version 5.
    check("configure v5 reads earning, expiry rounding, either returns policy and the review months",
          pos.decode(pos.CONFIGURE, configure5(12)) == {
              "point_value": 1, "ppd": 1, "months": 12, "tender": False, "rounding": True, "earning": "automatic",
              "expiry": "month", "returns": "proportional", "review": 12}
          and pos.decode(pos.CONFIGURE, configure5(36, earning=3, expiry=1, returns=2)) == {
              "point_value": 1, "ppd": 1, "months": 12, "tender": False, "rounding": True, "earning": "rules-only",
              "expiry": "day", "returns": "re-priced", "review": 36}
          and pos.decode(pos.CONFIGURE, configure5(1, expiry=4))["expiry"] == "year")
    check("configure v5 with review months 0 (versions 1-4's encoding) or 37 is a decoding error",
          not decodes(pos.CONFIGURE, configure5(0)) and not decodes(pos.CONFIGURE, configure5(37))
          and not decodes(pos.CONFIGURE, configure5(255)) and decodes(pos.CONFIGURE, configure5(36)))
    check("configure v5 with returns 0 or 3, earning 0 or 4, expiry rounding 0 or 5 is a decoding error",
          not any(decodes(pos.CONFIGURE, configure5(12, earning=e, expiry=x, returns=r))
                  for e, x, r in [(1, 2, 0), (1, 2, 3), (0, 2, 1), (4, 2, 1), (1, 0, 1), (1, 5, 1)]))
    check("configure v5 a byte short or a byte long, and version 6, are decoding errors",
          not decodes(pos.CONFIGURE, configure5(12)[:-1]) and not decodes(pos.CONFIGURE, configure5(12) + u8(1))
          and not decodes(pos.CONFIGURE, u8(6) + configure5(12)[1:]))
    check("versions 1-4 have no tier review; no settings: review 0",
          pos.decode(pos.CONFIGURE, configure4())["review"] == 0 and pos.get_settings({})["review"] == 0
          and pos.decode(pos.CONFIGURE, u8(1) + configure4()[1:27])["review"] == 0)
    check("settings v5 encode back to the signed bytes, proportional or re-priced, any rounding",
          all(pos.enc_settings(pos.decode(pos.CONFIGURE, b)) == b for b in (
              configure5(12), configure5(1, earning=2, expiry=3, returns=2), configure5(36, expiry=1, returns=1))))
    check("a review makes the encoding version 5 whatever else; without one it is 4 with re-priced returns, else 1-3",
          pos.enc_settings(dict(pos.get_settings({}), review=12)) == configure5(12)
          and pos.enc_settings(dict(pos.decode(pos.CONFIGURE, configure5(12, earning=2, returns=2)), review=0))
          == configure4(earning=2, expiry=2, returns=2)
          and pos.enc_settings(dict(pos.decode(pos.CONFIGURE, configure5(6)), review=0))[0] == 1)

    # Decoding: the members record of version 2 (§13.3).
    v2 = member_bytes(3, 500_000, [(20_000, 7)], 7, 0, 0, (20_100, 123, 2))
    check("a version-2 member record: the period after the totals",
          pos.get_member({pos.k_member("M"): v2}, "M") == {
              "tier": 3, "spend": 500_000, "lots": [[20_000, 7]], "earned": 7, "redeemed": 0, "expired": 0,
              "period": {"start": 20_100, "spend": 123, "tier": 2}}
          and pos.get_member({pos.k_member("M"): member_bytes(1, 0)}, "M")["period"] is None)
    check("a member record encodes back: version 2 exactly with a period",
          pos.enc_member(pos.get_member({pos.k_member("M"): v2}, "M")) == v2
          and pos.enc_member(pos.get_member({pos.k_member("M"): member_bytes(2, 9)}, "M")) == member_bytes(2, 9))

    def member_decodes(raw):
        try:
            pos.get_member({pos.k_member("M"): raw}, "M")
            return True
        except ValueError:
            return False
    check("a member record of period tier 0 or 6, version 2 without a period, a byte more, version 3: decoding errors",
          not member_decodes(member_bytes(1, 0, period=(1, 0, 0))) and not member_decodes(member_bytes(1, 0, period=(1, 0, 6)))
          and member_decodes(member_bytes(1, 0, period=(1, 0, 5)))
          and not member_decodes(u8(2) + member_bytes(1, 0)[1:]) and not member_decodes(v2 + u8(0))
          and not member_decodes(u8(3) + v2[1:]) and not member_decodes(u8(1) + v2[1:]))
    check("network member sums read versions 1 and 2 alike (the period is not summed)",
          network.member_sums(v2) == [7, 7, 0, 0] == network.member_sums(member_bytes(3, 500_000, [(20_000, 7)], 7)))
    try:
        network.member_sums(member_bytes(1, 0, period=(1, 0, 6)))
        check("network member sums: a period tier of 6 is an error", False)
    except ValueError:
        check("network member sums: a period tier of 6 is an error", True)

    # add(x, n): the same day n months on, or that month's last day.
    check("add(x, n) by hand", all(pos.add_months(day(x), n) == day(want) for x, n, want in [
        ("2027-01-31", 1, "2027-02-28"), ("2028-01-31", 1, "2028-02-29"), ("2026-01-31", 2, "2026-03-31"),
        ("2026-01-15", 12, "2027-01-15"), ("2026-01-15", 36, "2029-01-15"), ("2028-02-29", 12, "2029-02-28"),
        ("2028-02-29", 1, "2028-03-29"), ("2026-08-31", 1, "2026-09-30"), ("1969-12-31", 2, "1970-02-28"),
        ("2026-01-15", 43_200, "5626-01-15")]))
    # n at most 1200: a period started on 1900-01-15 reviewed on 2028-06-01 with R = 1 (1 540 periods)
    # moves 1 200 months on, to 2000-01-15, and the tier drops to 1.
    a = {"tier": 5, "period": {"start": day("1900-01-15"), "spend": 0, "tier": 5}}
    pos.review(a, day("2028-06-01"), 1)
    check("at most 1200 periods at once", a == {"tier": 1, "period": {"start": day("2000-01-15"), "spend": 0, "tier": 1}})
    # n is the largest with add(start, n R) <= d: on 2028-01-10 a period of 2026-01-15 (R = 12) has
    # run one period (add(.., 24) = 2028-01-15 is later), though 24 calendar months apart.
    a = {"tier": 3, "period": {"start": day("2026-01-15"), "spend": 0, "tier": 3}}
    pos.review(a, day("2028-01-10"), 12)
    check("n counts whole periods by day, not by month", a == {
        "tier": 2, "period": {"start": day("2027-01-15"), "spend": 0, "tier": 2}})
    a = {"tier": 3, "period": {"start": day("2026-01-15"), "spend": 0, "tier": 3}}
    pos.review(a, day("2027-01-14"), 12)
    check("no review before add(start, R)", a == {"tier": 3, "period": {"start": day("2026-01-15"), "spend": 0, "tier": 3}})

    # R = 12. M1 enrols; M2 is a diamond (5 000 000 lifetime) and M3 a gold member (500 000)
    # from before the review: version-1 records.
    m = Machine()
    m.time = noon("2026-01-10")
    m.state[pos.k_member("M2")] = member_bytes(5, 5_000_000)
    m.state[pos.k_member("M3")] = member_bytes(3, 500_000)
    check("tier review: setup", [
        m.apply(pos.SET_PRICES, set_prices([("TV", "tv", 100_000, True, 1), ("PEN", "misc", 500, True, 1)], version=1)),
        m.apply(pos.CONFIGURE, configure5(12), pos.ROLE_ADMIN), m.apply(pos.ENROL, u8(1) + enc_str("M1")),
        m.till(pos.SHIFT_OPEN, u8(1) + i64(0))] == [0] * 4)
    check("a v5 configure is stored as it was signed", m.state[pos.K_SETTINGS] == configure5(12)
          and pos.get_settings(m.state)["review"] == 12)
    check("enrolment drops no lots: a version-1 record, no period", m.state[pos.k_member("M1")] == member_bytes(1, 0))

    def tv(qty):   # TV incl. GST: tax(100 000 q) = halfup(100 000 q x 900 / 10 900)
        return ("TV", "tv", qty, 100_000, True, 1, [], 100_000 * qty, {1: 8257, 5: 41_284}[qty])
    pen = ("PEN", "misc", 1, 500, True, 1, [], 500, 41)

    # M1's first sale, 2026-01-15: the review gives M1 a period (start that day, spend 0, tier 1);
    # the TV's eligible 100 000 goes into it: silver. Built-in points at tier 1: 1000, expiring
    # 2027-01-31 (12 months on, end of month).
    m.time = noon("2026-01-15")
    check("first sale under review accepted (1000 points at tier 1)", m.till(pos.SALE, sale_body(
        1, [tv(1)], 900, 100_000, 0, 8257, 100_000, [card(100_000)], version=1, member="M1", earned=1000)) == 0)
    check("the first sale starts a period: record v2, start = that day, spend = eligible, tier by period spend",
          m.state[pos.k_member("M1")] == member_bytes(2, 100_000, [(day("2027-01-31"), 1000)], 1000, 0, 0,
                                                      (day("2026-01-15"), 100_000, 1)))
    # M2 (a version-1 diamond) is used by a loyalty-adjust: dropping its lots starts its period,
    # with its tier 5 as the period tier.
    check("a loyalty-adjust starts M2's period at tier 5", m.apply(pos.POINTS_ADJUST, adjust_body("M2", 10)) == 0
          and m.state[pos.k_member("M2")] == member_bytes(5, 5_000_000, [(day("2027-01-31"), 10)], 10, 0, 0,
                                                          (day("2026-01-15"), 0, 5)))
    check("and M3's at tier 3", m.apply(pos.POINTS_ADJUST, adjust_body("M3", 10)) == 0
          and period(m, "M3") == (3, (day("2026-01-15"), 0, 3)))

    # 2027-01-20: add(2026-01-15, 12) = 2027-01-15 <= the day, one period: its spend 100 000
    # reached silver, M1 stays silver; new period from 2027-01-15. The PEN's 500 counts there;
    # points at tier 2: 5 x 12 000 / 10 000 = 6.
    m.time = noon("2027-01-20")
    check("a review at 12 months: spend that reached the tier keeps it", m.till(pos.SALE, sale_body(
        2, [pen], 900, 500, 0, 41, 500, [card(500)], version=1, member="M1", earned=6)) == 0
        and period(m, "M1") == (2, (day("2027-01-15"), 500, 2)))
    # 2028-01-16: the period 2027-01-15 ends (add = 2028-01-15); its spend 500 is below silver:
    # tier 1, new period (2028-01-15, 0, 1). The sale is priced at tier 1 (1000 points, not
    # 1200), then its 100 000 counts in the new period: silver again. The 1000 points of
    # 2027-01-31 expired.
    m.time = noon("2028-01-16")
    check("the sale after a review is priced at the reviewed tier: 1200 points is 302", m.till(pos.SALE, sale_body(
        3, [tv(1)], 900, 100_000, 0, 8257, 100_000, [card(100_000)], version=1, member="M1", earned=1200)) == 302)
    check("spend below the tier's threshold: one tier down, then the sale's eligible counts in the new period",
          m.till(pos.SALE, sale_body(3, [tv(1)], 900, 100_000, 0, 8257, 100_000, [card(100_000)], version=1,
                                     member="M1", earned=1000)) == 0
          and m.state[pos.k_member("M1")] == member_bytes(
              2, 200_500, [(day("2028-01-31"), 6), (day("2029-01-31"), 1000)], 2006, 0, 1000,
              (day("2028-01-15"), 100_000, 1)))

    # 2028-03-01, same period: TV x5 at silver (6000 points): period spend 600 000, gold.
    # 2028-03-02: 3 of them back (300 000, GST halfup(41 284 x 3 / 5) = 24 770, points
    # min(6000, 6000 x 300 000 / 500 000) = 3600): period spend 300 000 -> the greater of the
    # period tier 1 and silver: 2.
    m.time = noon("2028-03-01")
    check("TV x5 in the same period: gold", m.till(pos.SALE, sale_body(
        4, [tv(5)], 900, 500_000, 0, 41_284, 500_000, [card(500_000)], version=1, member="M1", earned=6000)) == 0
        and period(m, "M1") == (3, (day("2028-01-15"), 600_000, 1)))
    sale_5tv = bytes([m.n]) * 32
    m.time = noon("2028-03-02")
    check("a refund lowers the period spend and the tier to the greater of period tier and period-spend tier",
          m.till(pos.REFUND, refund_body(sale_5tv, 1, [(0, 3, 300_000, 24_770)], 900, 300_000, 24_770,
                                         [card(300_000)], 3600)) == 0
          and period(m, "M1") == (2, (day("2028-01-15"), 300_000, 1))
          and pos.get_member(m.state, "M1")["spend"] == 400_500)

    # M2: its period 2026-01-15 had no spend. 2029-01-20: add(2026-01-15, 36) = 2029-01-15 <= the
    # day < add(.., 48): n = 3; below diamond: 4, then 2 more: silver, period (2029-01-15, 0, 2).
    # The PEN is priced at silver (6 points, not 12 at diamond) and its 500 counts in the period.
    m.time = noon("2029-01-20")
    check("36 months after a period start: 12 points (diamond) is 302", m.till(pos.SALE, sale_body(
        5, [pen], 900, 500, 0, 41, 500, [card(500)], version=1, member="M2", earned=12)) == 302)
    check("36 months after a period start: 1 + 2 tiers down, whatever the lifetime spend", m.till(pos.SALE, sale_body(
        5, [pen], 900, 500, 0, 41, 500, [card(500)], version=1, member="M2", earned=6)) == 0
        and m.state[pos.k_member("M2")] == member_bytes(2, 5_000_500, [(day("2030-01-31"), 6)], 16, 0, 10,
                                                        (day("2029-01-15"), 500, 2)))
    # TV x5 at silver (6000 points): period spend 500 500, gold; voided: the spend back to 500 and
    # the tier to the greater of the period tier 2 and bronze (lifetime 5 000 500 no longer counts).
    m.time = noon("2029-01-21")
    check("TV x5: gold", m.till(pos.SALE, sale_body(
        6, [tv(5)], 900, 500_000, 0, 41_284, 500_000, [card(500_000)], version=1, member="M2", earned=6000)) == 0
        and period(m, "M2") == (3, (day("2029-01-15"), 500_500, 2)))
    sale_m2 = bytes([m.n]) * 32
    check("a void lowers the period spend and the tier likewise", m.till(pos.VOID, u8(1) + sale_m2 + enc_str("oops")) == 0
          and m.state[pos.k_member("M2")] == member_bytes(2, 5_000_500, [(day("2030-01-31"), 6)], 6016, 0, 10,
                                                          (day("2029-01-15"), 500, 2)))
    # M3, gold, its period 2026-01-15 without spend: 2029-02-01, n = 3: 3 - 1 - 2 = 0, at least 1.
    m.time = noon("2029-02-01")
    check("dropping 1 + 2 tiers from gold stops at bronze", m.apply(pos.POINTS_ADJUST, adjust_body("M3", 10)) == 0
          and period(m, "M3") == (1, (day("2029-01-15"), 0, 1)))

    # The review is off again (configure version 1): M2's period is kept as it is, the tier
    # follows the lifetime spend again (5 001 000: diamond); the PEN is priced at the stored tier 2.
    check("configure v1: no review", m.apply(pos.CONFIGURE, u8(1) + configure4()[1:27], pos.ROLE_ADMIN) == 0
          and pos.get_settings(m.state)["review"] == 0)
    m.time = noon("2031-06-01")
    check("without review a member's period is kept untouched and the lifetime rule applies", m.till(pos.SALE, sale_body(
        7, [pen], 900, 500, 0, 41, 500, [card(500)], version=1, member="M2", earned=6)) == 0
        and m.state[pos.k_member("M2")] == member_bytes(5, 5_001_000, [(day("2032-06-30"), 6)], 6022, 0, 16,
                                                        (day("2029-01-15"), 500, 2)))
    check("a loyalty-adjust without review keeps M3's period", m.apply(pos.POINTS_ADJUST, adjust_body("M3", 10)) == 0
          and period(m, "M3") == (1, (day("2029-01-15"), 0, 1)))
    check("a refund without review: tier of the lifetime spend, period kept", m.till(pos.REFUND, refund_body(
        sale_5tv, 2, [(0, 2, 200_000, 16_514)], 900, 200_000, 16_514, [card(200_000)], 2400)) == 0
        and period(m, "M1") == (2, (day("2028-01-15"), 300_000, 1)) and pos.get_member(m.state, "M1")["spend"] == 200_500)

    # R = 1: a period starting on 31 January ends on the 29th of February 2028 (add clamps to the
    # month's last day); the next one starts there and ends on 29 March (not 31 March).
    c = Machine()
    c.time = noon("2028-01-31")
    c.state[pos.k_member("M4")] = member_bytes(3, 500_000)
    check("R = 1: setup, M4's period from 2028-01-31 at gold", [
        c.apply(pos.CONFIGURE, configure5(1), pos.ROLE_ADMIN), c.apply(pos.POINTS_ADJUST, adjust_body("M4", 10))] == [0, 0]
        and period(c, "M4") == (3, (day("2028-01-31"), 0, 3)))
    c.time = noon("2028-02-28")
    check("R = 1: on 28 February the period runs on", c.apply(pos.POINTS_ADJUST, adjust_body("M4", 10)) == 0
          and period(c, "M4") == (3, (day("2028-01-31"), 0, 3)))
    c.time = noon("2028-02-29")
    check("R = 1: on 29 February it ends: one tier down, the next period from 29 February",
          c.apply(pos.POINTS_ADJUST, adjust_body("M4", 10)) == 0 and period(c, "M4") == (2, (day("2028-02-29"), 0, 2)))
    c.time = noon("2028-03-30")
    check("R = 1: that period ends on 29 March", c.apply(pos.POINTS_ADJUST, adjust_body("M4", 10)) == 0
          and period(c, "M4") == (1, (day("2028-03-29"), 0, 1)))
    # A points-claim for a member this outlet does not know creates it at tier 1; its lots are
    # dropped, so the review gives it a period from that day (R = 1, points expire 2029-03-31).
    c.g["outlets"] = c.g["outlets"] + [(2, "two", b"\1" * 32)]
    claim = (u8(1) + bytes(range(16)) + enc_str("M9") + i64(40) + u32b(2) + u64b(1) + u64b(0) + i64(0) + i64(100))
    check("a claim creating a member under review writes a version-2 record with a period",
          c.apply(pos.POINTS_CLAIM, claim) == 0
          and c.state[pos.k_member("M9")] == member_bytes(1, 0, [(day("2029-03-31"), 40)], 0, 0, 0,
                                                          (day("2028-03-30"), 0, 1)))


def main():
    check = Checks()

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
    check("stock-receive v2 decodes: stock lines and invoice (and no lots)", r == ("DO-1", [("APPLE", 10)], {
        "lines": [("APPLE", 10, 50)], "supplier": "Acme", "input_gst": 45}, []))
    check("stock-receive v1 decodes without an invoice",
          pos.decode(pos.RECEIVE, receive_v1("DO-1", [("APPLE", 10)])) == ("DO-1", [("APPLE", 10)], None, []))
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
                                                           "rounding": True, "earning": "built-in-plus-rules", "expiry": "quarter",
                                                           "returns": "proportional", "review": 0})
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

    repriced_returns(check, decodes)
    skip_reasons(check, decodes)
    promotion_codes(check, decodes)
    coupons(check, decodes)
    gift_cards(check, decodes)
    tier_review(check, decodes)

    return check.report()


if __name__ == "__main__":
    sys.exit(main())
