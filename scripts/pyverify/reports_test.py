#!/usr/bin/env python3
"""Cases of reports.py on made-up transactions: money strings, half-away-from-zero rounding
of the average basket, Singapore hours, the business-date assignment (day-close buckets and
the open day), the sales and GST figures of sales, refunds, voids and training sales across
two business days, the Z-report check (two Z-reports of one date, an open day that falls on a
closed date) and the comparison's first differing path; and the stock and loyalty reports
on made-up chain states (the value of negative stock, items without a price, SKU order,
transfers in transit, the usable/expiring lot boundaries, point values per outlet); and the
exceptions and promotions reports on made-up chains (the large-discount boundary, members'
sales per business date across outlets, items in the walk's order with their business
dates and Singapore times, refunds by till, voids taking back a rule's discount, the
promotions' notApplied entries of the sales' skip reasons); and the
movements report (one SKU's stock card) on a made-up chain with every stock-moving body type
(training sales, refunds without restock and zero stocktake variances not listed, the
opening balance of earlier business dates, an open day dated before a closed date); and the
tax categories and costed stock receipts (GST boxes 2-5 and 7, other supplies, purchases,
byTaxCategory, the Z check of version-2 period totals, stock at cost); and the points report
on made-up chains (training and member-less sales, voids giving back their sale's earned and
redeemed points, adjustments after midnight, settlements counting the points debited, claims,
every outlet listed in outlet order). The demo (run-tests) covers the path through LMDB;
these pin the rules a literal reading could get wrong.

Usage: python3 scripts/pyverify/reports_test.py   (prints 'N passed, M failed')
"""
import copy
import datetime
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lots  # noqa: E402
import pos  # noqa: E402
import reports  # noqa: E402
from common import enc_str, u32b, u64b  # noqa: E402
from checks import Checks

SGT = datetime.timezone(datetime.timedelta(hours=8))


def sg_ms(text):
    """'2026-12-05 10:15' Singapore time -> ms since the epoch."""
    return int(datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SGT).timestamp() * 1000)


def line(sku, category, qty, incl, net, gst, discounts=(), tax=1):
    return {"sku": sku, "category": category, "qty": qty, "unit": 0, "incl": incl, "tax": tax,
            "discounts": list(discounts), "net": net, "gst": gst}


def cash(tendered, change=0):
    return {"kind": 1, "tendered": tendered, "change": change}


def other(kind, amount):
    return {"kind": kind, "amount": amount}


def sale(lines, total, tenders, rounding=0, training=False, rate=900):
    return {"training": training, "lines": lines, "rate": rate, "discount": sum(a for l in lines for _, a in l["discounts"]),
            "gst": sum(l["gst"] for l in lines), "total": total, "rounding": rounding, "tenders": tenders}


def period(sales_count=0, sales_total=0, discount_total=0, rounding_total=0, refunds_count=0, refunds_total=0,
           voids_count=0, voids_total=0, training_count=0, rates=(), tenders=(), other=()):
    return {"sales_count": sales_count, "sales_total": sales_total, "discount_total": discount_total,
            "rounding_total": rounding_total, "refunds_count": refunds_count, "refunds_total": refunds_total,
            "voids_count": voids_count, "voids_total": voids_total, "training_count": training_count,
            "rates": [list(r) for r in rates], "tenders": [list(t) for t in tenders],
            "grand_sales": 0, "grand_refunds": 0, "grand_voids": 0, "other": [list(o) for o in other]}


def chain(*entries, outlet=1):
    """[(kind, body, Singapore block time, principal, txid)] -> records in chain order."""
    out = []
    for height, (kind, body, when, principal, txid) in enumerate(entries, 1):
        out.append({"outlet": outlet, "height": height, "index": 0, "txid": txid, "block_time": sg_ms(when),
                    "kind": kind, "body": body, "principal": principal})
    return reports.assign_business_dates(out)


# Outlet 1 over two business days, then an open day:
#   2026-12-05: sale A (till-01: a discounted GST-inclusive pen line and a GST-exclusive TV
#   line, cash + card), a training sale, sale C (till-02, cash with rounding +2) and its void;
#   Z 1 at 22:00. 2026-12-06: a partial refund of A's pen line; Z 2 at 00:30 on the 7th,
#   dated the 6th. Open day: sale D on the 7th by PayNow.
SALE_A = sale([line("PEN-BLUE", "stationery", 2, True, 180, 15, [("promo-pen", 20)]),
               line("TV-55-4K", "electronics", 1, False, 10000, 900)], 11080, [cash(6000), other(3, 5080)])
SALE_B = sale([line("GUM", "snacks", 1, True, 365, 30)], 365, [cash(365)], training=True)
SALE_C = sale([line("MILK-1L", "dairy", 3, True, 1093, 90)], 1093, [cash(2000, 905)], rounding=2)
VOID_C = {"original": b"C" * 32, "reason": "wrong item"}
REFUND_A = {"original": b"A" * 32, "lines": [(0, 1, 90, 8)], "rate": 900, "amount": 90, "gst": 8,
            "tenders": [cash(90)]}
SALE_D = sale([line("KAYA-JAR", "spreads", 1, True, 545, 45)], 545, [other(4, 545)])
Z1 = (1, "2026-12-05", period(2, 12173, 20, 2, 0, 0, 1, 1093, 1, [(900, 11080, 915)], [(1, 6000), (3, 5080)]))
Z2 = (2, "2026-12-06", period(refunds_count=1, refunds_total=90, rates=[(900, -90, -8)], tenders=[(1, -90)]))


def scenario(z1=Z1, z2=Z2):
    return chain((pos.SALE, SALE_A, "2026-12-05 10:15", "till-01", b"A" * 32),
                 (pos.SALE, SALE_B, "2026-12-05 10:20", "till-02", b"B" * 32),
                 (pos.SALE, SALE_C, "2026-12-05 11:40", "till-02", b"C" * 32),
                 (pos.VOID, VOID_C, "2026-12-05 11:45", "till-02", b"V" * 32),
                 (pos.DAY_CLOSE, z1, "2026-12-05 22:00", "manager", b"1" * 32),
                 (pos.REFUND, REFUND_A, "2026-12-06 09:05", "till-01", b"R" * 32),
                 (pos.DAY_CLOSE, z2, "2026-12-07 00:30", "manager", b"2" * 32),
                 (pos.SALE, SALE_D, "2026-12-07 08:00", "till-01", b"D" * 32))


# --- exceptions and promotions: made-up chains with the other body types the report reads ---

def xsale(receipt, lines, member="", training=False):
    """A decoded sale with its receipt number, member id and subtotal (net + line discounts)."""
    total = sum(reports.line_paid(l) for l in lines)
    body = sale(lines, total, [cash(total)], training=training)
    body.update(receipt=receipt, member=member, subtotal=sum(l["net"] + sum(a for _, a in l["discounts"]) for l in lines))
    return body


def tx_id(prefix_hex, fill):
    """A 32-byte transaction id that starts with the given hex digits."""
    head = bytes.fromhex(prefix_hex)
    return head + bytes([fill]) * (32 - len(head))


X1, X2, X3 = tx_id("01", 1), tx_id("9a211560da5f47f5", 2), tx_id("03", 3)
SALE_X1 = xsale(1, [line("PEN-BLUE", "stationery", 2, True, 180, 15, [("promo-pen", 20)])], member="M1")  # 10 % off
SALE_X2 = xsale(2, [line("KAYA-JAR", "spreads", 1, True, 430, 36, [("loyalty-points", 300)])], member="M1")
SALE_XT = xsale(9, [line("TV-55-4K", "electronics", 1, True, 100, 8, [("staff", 9900)])], member="M1", training=True)
SALE_X3 = xsale(3, [line("MILK-1L", "dairy", 1, True, 365, 30)], member="M1")
REFUND_X2 = {"original": X2, "number": 1, "reason": "corked", "restock": True, "lines": [(0, 1, 430, 36)], "rate": 900,
             "amount": 430, "gst": 36, "reversed": 0, "tenders": [cash(430)]}


def exception_chains():
    """Outlet 1: on the 5th (closed by Z 1 at 00:30 on the 6th) sales X1 (10 % off) and X2
    (S$3.00 off S$7.30) of member M1, a training sale of M1 with 99 % off, X1's void, a
    no-sale, a short and an even shift-close, a points adjustment after midnight; then the
    open day (the 6th): X2's refund, M1's sale X3, an over shift-close. Outlet 2: M1's sale
    on the 6th and a refund. Outlet 10: a refund (refundsByTill keys sort as strings)."""
    one = chain((pos.SALE, SALE_X1, "2026-12-05 10:15", "till-01", X1),
                (pos.SALE, SALE_X2, "2026-12-05 10:20", "till-01", X2),
                (pos.SALE, SALE_XT, "2026-12-05 10:25", "till-02", tx_id("0f", 15)),
                (pos.VOID, {"original": X1, "reason": "wrong item"}, "2026-12-05 11:00", "till-02", tx_id("04", 4)),
                (pos.DRAWER_OPEN, "change for a customer", "2026-12-05 11:30", "till-01", tx_id("05", 5)),
                (pos.SHIFT_CLOSE, (38585, 38595, -10), "2026-12-05 21:00", "till-01", tx_id("06", 6)),
                (pos.SHIFT_CLOSE, (1000, 1000, 0), "2026-12-05 21:05", "till-02", tx_id("07", 7)),
                (pos.POINTS_ADJUST, ("M1", -150, "duplicate bonus"), "2026-12-06 00:10", "manager", tx_id("08", 8)),
                (pos.DAY_CLOSE, (1, "2026-12-05", period()), "2026-12-06 00:30", "manager", tx_id("09", 9)),
                (pos.REFUND, REFUND_X2, "2026-12-06 09:00", "till-03", tx_id("0a", 10)),
                (pos.SALE, SALE_X3, "2026-12-06 09:30", "till-01", X3),
                (pos.SHIFT_CLOSE, (500, 450, 50), "2026-12-06 21:00", "till-01", tx_id("0b", 11)))
    y1 = tx_id("21", 0x21)
    two = chain((pos.SALE, xsale(1, [line("MILK-1L", "dairy", 1, True, 365, 30)], member="M1"), "2026-12-06 12:00",
                 "till-01", y1),
                (pos.REFUND, dict(REFUND_X2, original=y1, amount=365), "2026-12-06 12:05", "till-01", tx_id("22", 0x22)),
                outlet=2)
    z1 = tx_id("a1", 0xa1)
    ten = chain((pos.SALE, xsale(1, [line("GUM", "snacks", 1, True, 100, 8)]), "2026-12-06 13:00", "till-01", z1),
                (pos.REFUND, dict(REFUND_X2, original=z1, amount=100, number=7), "2026-12-06 13:05", "till-01",
                 tx_id("a2", 0xa2)),
                outlet=10)
    return {1: one, 2: two, 10: ten}


P1, P3 = tx_id("b1", 0xb1), tx_id("b3", 0xb3)
SALE_P1 = xsale(1, [line("A", "x", 1, True, 450, 37, [("promo-a", 50), ("promo-b", 10)]),
                    line("B", "x", 1, True, 170, 14, [("promo-a", 30)]), line("C", "x", 1, True, 99, 8)])
SALE_P3 = xsale(3, [line("A", "x", 1, True, 495, 41, [("promo-b", 5)])])


def promotion_chains():
    """Outlet 1 on the 5th: P1 (promo-a on two lines, promo-b on one, a line without), a
    training sale with promo-c, P3 (promo-b), a refund of P1; Z 1; the open day (the 6th):
    P1's void."""
    return {1: chain((pos.SALE, SALE_P1, "2026-12-05 10:00", "till-01", P1),
                     (pos.SALE, xsale(2, [line("A", "x", 1, True, 1, 0, [("promo-c", 499)])], training=True),
                      "2026-12-05 10:05", "till-01", tx_id("b2", 0xb2)),
                     (pos.SALE, SALE_P3, "2026-12-05 10:10", "till-01", P3),
                     (pos.REFUND, dict(REFUND_X2, original=P1, lines=[(0, 1, 450, 37)], amount=450), "2026-12-05 11:00",
                      "till-01", tx_id("b4", 0xb4)),
                     (pos.DAY_CLOSE, (1, "2026-12-05", period()), "2026-12-05 22:00", "manager", tx_id("b5", 0xb5)),
                     (pos.VOID, {"original": P1, "reason": "customer left"}, "2026-12-06 09:00", "till-01",
                      tx_id("b6", 0xb6)))}


# --- tax categories and costed stock receipts (FORMAT.md §13.2 version-2 bodies) -----------

def receive(reference, lines, supplier=None, input_gst=0):
    """A decoded stock-receive: version 1 without a supplier, else version 2 with costed lines
    [(sku, quantity, unit cost)]."""
    if supplier is None:
        return (reference, list(lines), None)
    return (reference, [(sku, qty) for sku, qty, _ in lines],
            {"lines": list(lines), "supplier": supplier, "input_gst": input_gst})


SR, ZR, ES, OS = 1, 2, 3, 4
T1, T2 = tx_id("f1", 0xf1), tx_id("f2", 0xf2)
# T1: one line of each category (the ZR line excludes GST, 2 units); T2: a ZR line alone.
SALE_T1 = sale([line("APPLE", "fruit", 1, True, 1090, 90, tax=SR), line("EXPORT", "goods", 2, False, 5000, 0, tax=ZR),
                line("GIFT-CARD", "cards", 1, True, 2000, 0, tax=ES), line("DONATION", "misc", 1, True, 300, 0, tax=OS)],
               8390, [other(3, 8390)])
SALE_T2 = sale([line("EXPORT", "goods", 1, False, 2500, 0, tax=ZR)], 2500, [other(3, 2500)])
REFUND_T1 = {"original": T1, "number": 1, "reason": "returned", "restock": True, "lines": [(1, 1, 2500, 0)],
             "rate": 900, "amount": 2500, "gst": 0, "reversed": 0, "tenders": [cash(2500)]}
ZT1 = (1, "2026-12-05", period(2, 10890, voids_count=1, voids_total=2500, rates=[(900, 1090, 90)],
                               tenders=[(3, 8390)], other=[(ZR, 5000), (ES, 2000), (OS, 300)]))
ZT2 = (2, "2026-12-06", period(refunds_count=1, refunds_total=2500, tenders=[(1, -2500)], other=[(ZR, -2500)]))


def tax_scenario(z1=ZT1, z2=ZT2):
    """Outlet 1. The 5th (Z 1 at 22:00): a costed delivery DO-9 (S$53.00, input GST S$4.95) and
    an uncosted DO-8; sale T1 (SR, ZR, ES, OS lines); sale T2 (ZR alone) and its void. The 6th
    (Z 2): a refund of one of T1's two ZR units. The open day (the 7th): a costed delivery
    DO-10 of APPLE at a new cost."""
    return chain((pos.RECEIVE, receive("DO-9", [("APPLE", 10, 50), ("EXPORT", 4, 1200)], "Acme Pte Ltd", 495),
                  "2026-12-05 08:00", "manager", tx_id("f3", 0xf3)),
                 (pos.RECEIVE, receive("DO-8", [("APPLE", 1)]), "2026-12-05 08:05", "manager", tx_id("f4", 0xf4)),
                 (pos.SALE, SALE_T1, "2026-12-05 10:00", "till-01", T1),
                 (pos.SALE, SALE_T2, "2026-12-05 10:30", "till-01", T2),
                 (pos.VOID, {"original": T2, "reason": "wrong item"}, "2026-12-05 10:35", "till-01", tx_id("f5", 0xf5)),
                 (pos.DAY_CLOSE, z1, "2026-12-05 22:00", "manager", tx_id("f6", 0xf6)),
                 (pos.REFUND, REFUND_T1, "2026-12-06 09:00", "till-01", tx_id("f7", 0xf7)),
                 (pos.DAY_CLOSE, z2, "2026-12-06 22:00", "manager", tx_id("f8", 0xf8)),
                 (pos.RECEIVE, receive("DO-10", [("APPLE", 5, 55)], "Acme Pte Ltd", 25), "2026-12-07 09:00", "manager",
                  tx_id("f9", 0xf9)))


# --- movements: a made-up chain with every body type that moves stock ---------------------

M1, M2, M3 = tx_id("c1", 0xc1), tx_id("c2", 0xc2), tx_id("c3", 0xc3)
SALE_M1 = xsale(1, [line("MILK-1L", "dairy", 2, True, 730, 60), line("PEN", "x", 1, True, 90, 7),
                    line("MILK-1L", "dairy", 1, True, 365, 30)])
SALE_M2 = xsale(2, [line("MILK-1L", "dairy", 4, True, 1460, 121)])


def movement_chain():
    """Outlet 1. The 5th (Z 1 at 22:00): a delivery of 24 + 6 MILK-1L (two lines) and 10 PEN,
    sale M1 (2 + 1 MILK-1L on two lines, 1 PEN), a training sale of 5, sale M2 (4) and its
    void, an adjustment of MILK-1L (expired, −2) and one of PEN. The 6th (Z 2 at 00:30 on the
    7th): a restocking refund of M1's three lines, one that does not restock, a stocktake of
    PEN and MILK-1L (20 counted, 21 book), one with no variance, a transfer of 5 to outlet 2.
    The open day (the 7th): a transfer of 7 MILK-1L and 1 PEN in from outlet 3."""
    refund = dict(REFUND_X2, original=M1, number=1, reason="spoilt", restock=True,
                  lines=[(0, 1, 365, 30), (1, 1, 90, 7), (2, 1, 365, 30)])
    kept = dict(REFUND_X2, original=M1, number=2, reason="changed mind", restock=False, lines=[(0, 1, 365, 30)])
    return chain((pos.RECEIVE, ("DO-1", [("MILK-1L", 24), ("PEN", 10), ("MILK-1L", 6)]), "2026-12-05 08:00",
                  "manager-1", tx_id("d1", 0xd1)),
                 (pos.SALE, SALE_M1, "2026-12-05 10:00", "till-01", M1),
                 (pos.SALE, xsale(3, [line("MILK-1L", "dairy", 5, True, 1825, 151)], training=True),
                  "2026-12-05 10:05", "till-01", tx_id("d2", 0xd2)),
                 (pos.SALE, SALE_M2, "2026-12-05 10:10", "till-02", M2),
                 (pos.VOID, {"original": M2, "reason": "wrong item"}, "2026-12-05 10:11", "till-02", M3),
                 (pos.ADJUST, ("MILK-1L", -2, 3, "past date"), "2026-12-05 18:00", "manager-1", tx_id("d3", 0xd3)),
                 (pos.ADJUST, ("PEN", -1, 1, "broken"), "2026-12-05 18:01", "manager-1", tx_id("d4", 0xd4)),
                 (pos.DAY_CLOSE, (1, "2026-12-05", period()), "2026-12-05 22:00", "manager-1", tx_id("d5", 0xd5)),
                 (pos.REFUND, refund, "2026-12-06 09:00", "till-01", tx_id("d6", 0xd6)),
                 (pos.REFUND, kept, "2026-12-06 09:30", "till-01", tx_id("d7", 0xd7)),
                 (pos.COUNT, [("PEN", 8, 9, -1), ("MILK-1L", 20, 21, -1)], "2026-12-06 20:00", "manager-1",
                  tx_id("d8", 0xd8)),
                 (pos.COUNT, [("MILK-1L", 20, 20, 0)], "2026-12-06 20:10", "manager-1", tx_id("d9", 0xd9)),
                 (pos.TRANSFER_OUT, (bytes(16), 2, [("MILK-1L", 5)]), "2026-12-06 21:00", "manager-1",
                  tx_id("da", 0xda)),
                 (pos.DAY_CLOSE, (2, "2026-12-06", period()), "2026-12-07 00:30", "manager-1", tx_id("db", 0xdb)),
                 (pos.TRANSFER_IN, (bytes([1]) * 16, 3, [("MILK-1L", 7), ("PEN", 1)]), "2026-12-07 09:00",
                  "manager-1", tx_id("dc", 0xdc)))


# --- points: made-up chains with every body type that moves loyalty points ---------------

def psale(receipt, member, earned, redeemed, training=False):
    """A decoded sale of one S$10.00 line with its member id and points earned and redeemed."""
    body = xsale(receipt, [line("MILK-1L", "dairy", 1, True, 1000, 83)], member=member, training=training)
    body.update(earned=earned, redeemed=redeemed)
    return body


def claim(points, source, member="M9"):
    return {"id": bytes([points % 256]) * 16, "member": member, "points": points, "source": source, "checkpoint": 1,
            "covered": 1, "outstanding": 0, "allowance": 10_000, "bytes": b""}


def settle(points, debited, claimant, member="M1"):
    return {"id": bytes([points % 256]) * 16, "claimant": claimant, "member": member, "points": points,
            "debited": debited, "bytes": b""}


Q1, Q2, Q3, Q4 = tx_id("e1", 0xe1), tx_id("e2", 0xe2), tx_id("e3", 0xe3), tx_id("e4", 0xe4)


def points_chains():
    """Outlet 1. The 5th (Z 1 at 00:30 on the 6th): M1's sale Q1 (earns 50), a training sale
    of M1 (earns 7, redeems 3), a sale without a member, M1's sale Q2 (earns 20, redeems 100)
    and its void, the void of the member-less sale, adjustments +500 and (after midnight)
    −150, a refund of Q1 reversing 5. The open day (the 6th): a settlement of outlet 2's claim
    of 100 that debits 80, a refund of Q1 reversing 0. Outlet 2, the 6th: a claim of 100
    points held at outlet 1, M9's sale redeeming them (earns 3); a settlement that debits 0.
    Outlet 10 (listed after 2): a claim of 40 on the 5th."""
    refund = dict(REFUND_X2, original=Q1, lines=[(0, 1, 1000, 83)], amount=1000, reversed=5)
    one = chain((pos.SALE, psale(1, "M1", 50, 0), "2026-12-05 10:00", "till-01", Q1),
                (pos.SALE, psale(2, "M1", 7, 3, training=True), "2026-12-05 10:05", "till-01", tx_id("e5", 0xe5)),
                (pos.SALE, psale(3, "", 0, 0), "2026-12-05 10:10", "till-01", Q3),
                (pos.SALE, psale(4, "M1", 20, 100), "2026-12-05 10:15", "till-02", Q2),
                (pos.VOID, {"original": Q2, "reason": "wrong member"}, "2026-12-05 10:16", "till-02", tx_id("e6", 0xe6)),
                (pos.VOID, {"original": Q3, "reason": "wrong item"}, "2026-12-05 10:20", "till-01", tx_id("e7", 0xe7)),
                (pos.POINTS_ADJUST, ("M1", 500, "welcome bonus"), "2026-12-05 18:00", "manager", tx_id("e8", 0xe8)),
                (pos.POINTS_ADJUST, ("M1", -150, "duplicate bonus"), "2026-12-06 00:10", "manager", tx_id("e9", 0xe9)),
                (pos.REFUND, refund, "2026-12-05 19:00", "till-01", tx_id("ea", 0xea)),
                (pos.DAY_CLOSE, (1, "2026-12-05", period()), "2026-12-06 00:30", "manager", tx_id("eb", 0xeb)),
                (pos.POINTS_SETTLE, settle(100, 80, 2), "2026-12-06 09:00", "node", tx_id("ec", 0xec)),
                (pos.REFUND, dict(refund, number=2, reversed=0), "2026-12-06 09:30", "till-01", tx_id("ed", 0xed)))
    two = chain((pos.POINTS_CLAIM, claim(100, 1), "2026-12-06 08:59", "till-01", tx_id("ee", 0xee)),
                (pos.SALE, psale(1, "M9", 3, 100), "2026-12-06 09:00", "till-01", Q4),
                (pos.POINTS_SETTLE, settle(7, 0, 1, member="M2"), "2026-12-06 10:00", "node", tx_id("ef", 0xef)),
                outlet=2)
    ten = chain((pos.POINTS_CLAIM, claim(40, 1), "2026-12-05 12:00", "till-01", tx_id("f0", 0xf0)), outlet=10)
    return {1: one, 2: two, 10: ten}


# --- lot: made-up outlet chains with every body that moves a lot (FORMAT.md §13.6) ---------
# The bodies are encoded as §13.2 says and decoded by pos.decode, so the report reads them in
# the shapes it gets from a store.

G, G2 = "09556001234568", "09556001234575"   # GS1 check digits 8 (sum 92) and 5 (sum 95)
E = 21183                                   # 2027-12-31 as days since 1970-01-01: 57 × 365 + 14 leap days + 364
RECALL_REASON = "Listeria found in batch L1; return to store"


def sg_t(text):
    """'2026-12-05 10:00:05.900' Singapore time -> ms since the epoch."""
    return int(datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=SGT).timestamp() * 1000)


def lot_chain(outlet, *entries):
    """[(kind, body bytes (or a decoded body), Singapore time t, principal, txid)] -> records as
    read_chain gives them: t the envelope timestamp, each block sealed 2.5 s later."""
    out = []
    for height, (kind, body, when, principal, txid) in enumerate(entries, 1):
        t = sg_t(when)
        out.append({"outlet": outlet, "height": height, "index": 0, "txid": txid, "block_time": t + 2500, "time": t,
                    "kind": kind, "body": pos.decode(kind, body) if isinstance(body, bytes) else body,
                    "principal": principal})
    return reports.assign_business_dates(out)


def lot_sale(receipt, lines, entries, member="", training=False):
    """A sale body: version 6 with lot entries (line index, GTIN, lot, expiry, quantity), else 1."""
    body = xsale(receipt, lines, member=member, training=training)
    body.update(redeemed=0, earned=0, skipped=[], codes=[], lots=list(entries))
    return pos.enc_sale_body(body)


def milk(qty):
    return line("MILK-1L", "dairy", qty, True, 365 * qty, 30 * qty)


def lot_receive(reference, lines, entries, costs=None):
    """stock-receive version 3 (stock lines) or, with unit costs, 4 (costed lines) with lots."""
    if costs is None:
        return b"\x03" + enc_str(reference) + pos.enc_stock_lines(lines) + lots.enc_lots(entries)
    costed = u32b(len(lines)) + b"".join(enc_str(sku) + pos.i64b(qty) + pos.i64b(cost)
                                         for (sku, qty), cost in zip(lines, costs))
    return b"\x04" + enc_str(reference) + costed + enc_str("Dairy Farm Pte Ltd") + pos.i64b(0) + lots.enc_lots(entries)


def lot_transfer(tid, counterpart, lines, entries):
    """transfer-out / -in: version 2 with lots, version 1 without."""
    body = tid + u32b(counterpart) + pos.enc_stock_lines(lines)
    return b"\x02" + body + lots.enc_lots(entries) if entries else b"\x01" + body


def lot_void(original, reason):
    return b"\x01" + original + enc_str(reason)


def recall_bytes(gtin, lot, reason, serial=1):
    """A product recall (FORMAT.md §9.8; the report does not check its signature)."""
    return lots.enc_recall(b"\x33" * 32, serial, gtin, lot, reason, b"\x44" * 32, b"\x55" * 64)


def apply_recall(checkpoint, recall):
    return b"\x01" + u64b(checkpoint) + recall


TA, TB, TC, TD, TX = (bytes([b]) * 16 for b in (0xaa, 0xbb, 0xcc, 0x0d, 0xee))
L1S1, L1S2, L1S3, L1S4, L1S5 = (tx_id(h, n) for h, n in (("41", 0x41), ("42", 0x42), ("43", 0x43), ("44", 0x44),
                                                          ("45", 0x45)))
L2P1, L2P2, L2P3 = tx_id("51", 0x51), tx_id("01", 0x01), tx_id("ff", 0xff)


def lot_chains():
    """Lot L1 of GTIN G (and, around it, lot L2 of G and lot L1 of another GTIN G2).
    Outlet 1: receives 20 of L1 (expiry 2027-12-31) and 4 of L2 on one line; member M1's sale S1
    of 2 + 2 of L1 on two lines (and 1 of L2); a guest's sale S2 of 1; a training sale of 2;
    member M2's sale S3 of 3, voided; M1's sale S4 of 1 (block after midnight, t before); a
    sale without lots and its void; a refund of S1 (lots do not move); transfers out: TA of 5
    to outlet 2 (received), TB of 2 + 1 on two lines to outlet 3 (not received), TC of L2 only
    to outlet 2 (not received); the recall of L1 (checkpoint 7) and of L2 (checkpoint 8).
    Outlet 2: a costed receipt of 6 of L1 without expiry; TA in (its expiry sets the lot's);
    M3's sale of 2; M1's sale P2 of 1 at 10:00:05.900 (id 01…) and a guest's sale P3 of 1 at
    10:00:05.100 (id ff…) of the same second; TD of 1 out to outlet 99 (no chain); no recall.
    Outlet 3: an unrelated transfer in (TX) and the recall of L1 (checkpoint 9): no lot
    record. Outlet 4: receives 2 of L1 without expiry (and 3 of L2 with one). Outlet 5: L2 and
    G2's L1 only, so it is not listed."""
    recall_l1 = recall_bytes(G, "L1", RECALL_REASON)
    one = lot_chain(
        1,
        (pos.RECEIVE, lot_receive("DO-1", [("MILK-1L", 24), ("BREAD", 5)], [(0, G, "L1", E, 20), (0, G, "L2", 0, 4)]),
         "2026-12-05 08:00:00.000", "manager-1", tx_id("40", 0x40)),
        (pos.SALE, lot_sale(1, [milk(3), line("BREAD", "bakery", 1, True, 250, 21), milk(2)],
                            [(0, G, "L1", E, 2), (0, G, "L2", 0, 1), (2, G, "L1", E, 2)], member="M1"),
         "2026-12-05 10:00:00.250", "till-01", L1S1),
        (pos.SALE, lot_sale(1, [milk(1)], [(0, G, "L1", E, 1)]), "2026-12-05 10:30:00.000", "till-02", L1S2),
        (pos.SALE, lot_sale(2, [milk(2)], [(0, G, "L1", E, 2)], member="M2", training=True),
         "2026-12-05 10:40:00.000", "till-02", tx_id("46", 0x46)),
        (pos.SALE, lot_sale(2, [milk(3)], [(0, G, "L1", E, 3)], member="M2"), "2026-12-05 11:00:00.000", "till-01",
         L1S3),
        (pos.VOID, lot_void(L1S3, "wrong member"), "2026-12-05 11:01:00.000", "till-01", tx_id("47", 0x47)),
        (pos.SALE, lot_sale(3, [milk(1)], [(0, G, "L1", E, 1)], member="M1"), "2026-12-05 23:59:59.500", "till-01",
         L1S4),
        (pos.SALE, lot_sale(4, [milk(1)], []), "2026-12-06 09:00:00.000", "till-01", L1S5),
        (pos.VOID, lot_void(L1S5, "no lot"), "2026-12-06 09:01:00.000", "till-01", tx_id("48", 0x48)),
        (pos.REFUND, dict(REFUND_X2, original=L1S1, lines=[(0, 1, 365, 30)], amount=365, gst=30),
         "2026-12-06 09:30:00.000", "till-01", tx_id("49", 0x49)),
        (pos.TRANSFER_OUT, lot_transfer(TA, 2, [("MILK-1L", 6)], [(0, G, "L1", E, 5)]), "2026-12-06 12:00:00.000",
         "manager-1", tx_id("4a", 0x4a)),
        (pos.TRANSFER_OUT, lot_transfer(TB, 3, [("MILK-1L", 2), ("MILK-1L", 1)], [(0, G, "L1", E, 2),
                                                                                   (1, G, "L1", E, 1)]),
         "2026-12-06 12:10:00.000", "manager-1", tx_id("4b", 0x4b)),
        (pos.TRANSFER_OUT, lot_transfer(TC, 2, [("MILK-1L", 1)], [(0, G, "L2", 0, 1)]), "2026-12-06 12:20:00.000",
         "manager-1", tx_id("4c", 0x4c)),
        (pos.APPLY_RECALL, apply_recall(7, recall_l1), "2026-12-06 13:00:00.000", "node", tx_id("4d", 0x4d)),
        (pos.APPLY_RECALL, apply_recall(8, recall_bytes(G, "L2", "mislabelled", 2)), "2026-12-06 13:05:00.000",
         "node", tx_id("4e", 0x4e)))
    two = lot_chain(
        2,
        (pos.RECEIVE, lot_receive("DO-2", [("MILK-1L", 6)], [(0, G, "L1", 0, 6)], costs=[180]),
         "2026-12-05 08:00:00.000", "manager-2", tx_id("50", 0x50)),
        (pos.SALE, lot_sale(1, [milk(2)], [(0, G, "L1", 0, 2)], member="M3"), "2026-12-05 09:00:00.000", "till-01",
         L2P1),
        (pos.TRANSFER_IN, lot_transfer(TA, 1, [("MILK-1L", 6)], [(0, G, "L1", E, 5)]), "2026-12-06 15:00:00.000",
         "manager-2", tx_id("52", 0x52)),
        (pos.SALE, lot_sale(2, [milk(1)], [(0, G, "L1", E, 1)], member="M1"), "2026-12-06 10:00:05.900", "till-01",
         L2P2),
        (pos.SALE, lot_sale(3, [milk(1)], [(0, G, "L1", E, 1)]), "2026-12-06 10:00:05.100", "till-02", L2P3),
        (pos.TRANSFER_OUT, lot_transfer(TD, 99, [("MILK-1L", 1)], [(0, G, "L1", E, 1)]), "2026-12-06 16:00:00.000",
         "manager-2", tx_id("53", 0x53)))
    three = lot_chain(
        3,
        (pos.TRANSFER_IN, lot_transfer(TX, 4, [("MILK-1L", 1)], []), "2026-12-06 09:00:00.000", "manager-3",
         tx_id("60", 0x60)),
        (pos.APPLY_RECALL, apply_recall(9, recall_l1), "2026-12-06 14:00:00.000", "manager-3", tx_id("61", 0x61)))
    four = lot_chain(
        4,
        (pos.RECEIVE, lot_receive("DO-4", [("MILK-1L", 5)], [(0, G, "L1", 0, 2), (0, G, "L2", E, 3)]),
         "2026-12-05 08:00:00.000", "manager-4", tx_id("70", 0x70)),
        (pos.TRANSFER_OUT, lot_transfer(TX, 3, [("MILK-1L", 1)], []), "2026-12-05 18:00:00.000", "manager-4",
         tx_id("71", 0x71)))
    five = lot_chain(
        5,
        (pos.RECEIVE, lot_receive("DO-5", [("MILK-1L", 4), ("KAYA", 3)], [(0, G, "L2", E, 4), (1, G2, "L1", E, 3)]),
         "2026-12-05 08:00:00.000", "manager-5", tx_id("80", 0x80)),
        (pos.SALE, lot_sale(1, [line("KAYA", "spreads", 1, True, 545, 45)], [(0, G2, "L1", E, 1)], member="M9"),
         "2026-12-05 12:00:00.000", "till-01", tx_id("81", 0x81)))
    return {1: one, 2: two, 3: three, 4: four, 5: five}


# --- stock and loyalty: chain states built with the record encodings of FORMAT.md §13.3 ---

def put_stock(state, o, sku, on_hand):
    state[pos.k_stock(o, sku)] = b"\x01" + pos.i64b(on_hand)


def put_price(state, o, sku, category, unit):
    state[pos.k_price(o, sku)] = b"\x01" + enc_str(category) + pos.i64b(unit) + bytes([1, 1])


def put_transfer(state, tid, outgoing, o, counterpart, lines):
    state[pos.k_transfer(tid, outgoing)] = b"\x01" + u32b(o) + u32b(counterpart) + pos.enc_stock_lines(lines)


def put_member(state, member, lots, earned=0, redeemed=0, expired=0):
    state[pos.k_member(member)] = pos.enc_member({"tier": 1, "spend": 0, "lots": [list(l) for l in lots],
                                                  "earned": earned, "redeemed": redeemed, "expired": expired})


def stock_states():
    """Outlets 1-3: outlet 1 with a negative SKU, an unpriced SKU and non-ASCII SKUs; transfers
    T1 1->2 received, T2 1->3 not received, T0 2->1 not received, T3 an incoming half only
    (on 3, from 2), T9 1->99 (no such chain)."""
    s1, s2, s3 = {}, {}, {}
    for sku, on_hand, price in (("b-lower", 2, ("x", 100)), ("Zed", 3, ("", 250)), ("ÉCLAIR", 1, ("bakery", 420)),
                                ("TV", -4, ("electronics", 129900)), ("GHOST", 5, None), ("ZERO", 0, ("x", 10))):
        put_stock(s1, 1, sku, on_hand)
        if price:
            put_price(s1, 1, sku, *price)
    put_price(s1, 1, "PRICED-ONLY", "x", 999)  # a price without stock is not an item
    put_stock(s2, 2, "MILK", 7)
    put_price(s2, 2, "MILK", "dairy", 365)
    put_price(s2, 2, "b-lower", "x", 1)  # outlet 2's price does not price outlet 1's stock
    t0, t1, t2, t3, t9 = (bytes([n]) * 16 for n in (0, 1, 2, 3, 9))
    put_transfer(s1, t1, True, 1, 2, [("MILK", 1)])
    put_transfer(s2, t1, False, 2, 1, [("MILK", 1)])
    put_transfer(s1, t2, True, 1, 3, [("Zed", 2), ("TV", 1)])
    put_transfer(s2, t0, True, 2, 1, [("MILK", 3)])
    put_transfer(s3, t3, False, 3, 2, [("MILK", 4)])
    put_transfer(s1, t9, True, 1, 99, [("Zed", 1)])
    return {1: s1, 2: s2, 3: s3}


def main():
    check = Checks()

    # Money strings and rounding.
    check("money 12.30", reports.money(1230) == "12.30")
    check("money -0.05", reports.money(-5) == "-0.05")
    check("money 0.00", reports.money(0) == "0.00")
    check("money -1.00", reports.money(-100) == "-1.00")
    check("money 1234567.89", reports.money(123456789) == "1234567.89")
    check("average basket 0 without sales", reports.average_basket(0, 0) == 0)
    check("average basket 333.33 down", reports.average_basket(1000, 3) == 333)
    check("average basket x.5 up", reports.average_basket(1001, 2) == 501)
    check("average basket 2/3 up", reports.average_basket(2, 3) == 1)
    check("average basket negative half away from zero", reports.average_basket(-1001, 2) == -501)
    check("hour: the epoch is 08 in Singapore", reports.sg_hour(0) == "08")
    check("hour: 16:00Z is 00", reports.sg_hour(sg_ms("2026-12-06 00:00")) == "00")
    check("hour: one ms before is 23", reports.sg_hour(sg_ms("2026-12-06 00:00") - 1) == "23")

    # Business dates.
    records = scenario()
    dates = {r["txid"][:1]: r["date"] for r in records}
    check("sales before Z 1 take its date", dates[b"A"] == dates[b"B"] == dates[b"C"] == dates[b"V"] == "2026-12-05")
    check("refund before Z 2 (closed after midnight) takes the 6th", dates[b"R"] == "2026-12-06")
    check("open day: the Singapore date of the block", dates[b"D"] == "2026-12-07")
    late = chain((pos.SALE, SALE_D, "2026-12-07 23:59", "t", b"x"), (pos.SALE, SALE_D, "2026-12-08 00:00", "t", b"y"))
    check("open day spans Singapore midnight", [r["date"] for r in late] == ["2026-12-07", "2026-12-08"])
    utc = chain((pos.SALE, SALE_D, "2026-12-08 07:59", "t", b"x"))
    check("open day uses UTC+8, not UTC", utc[0]["date"] == "2026-12-08")
    empty = chain((pos.DAY_CLOSE, (1, "2026-01-01", period()), "2026-01-02 10:00", "m", b"1"),
                  (pos.DAY_CLOSE, (2, "2026-01-03", period()), "2026-01-02 11:00", "m", b"2"),
                  (pos.SALE, SALE_D, "2026-01-02 12:00", "t", b"x"))
    check("a Z's date is its own, not its block's", [r["date"] for r in empty] == ["2026-01-01", "2026-01-03", "2026-01-02"])

    # The sales report of the 5th.
    s = reports.compute({1: records}, "2026-12-05", "2026-12-05")
    j = reports.sales_json(s, "2026-12-05", "2026-12-05", [1], {})
    t = j["totals"]
    check("5th: totals", t == {"salesCount": 2, "salesTotal": "121.73", "discountTotal": "0.20", "roundingTotal": "0.02",
                              "refundsCount": 0, "refundsTotal": "0.00", "voidsCount": 1, "voidsTotal": "10.93",
                              "trainingCount": 1, "netSales": "110.80", "averageBasket": "60.87"})
    check("5th: byTill", j["byTill"] == [
        {"key": "till-01", "salesCount": 1, "salesTotal": "110.80", "refundsTotal": "0.00", "voidsTotal": "0.00",
         "netSales": "110.80"},
        {"key": "till-02", "salesCount": 1, "salesTotal": "10.93", "refundsTotal": "0.00", "voidsTotal": "10.93",
         "netSales": "0.00"}])
    check("5th: byHour keys", [e["key"] for e in j["byHour"]] == ["10", "11"])
    check("5th: a voided SKU is listed at zero", {"key": "MILK-1L", "quantity": 0, "amount": "0.00", "gst": "0.00"}
          in j["bySku"])
    check("5th: training sales touch no SKU", len(j["bySku"]) == 3)
    check("5th: GST-exclusive line amount is net + GST", {"key": "TV-55-4K", "quantity": 1, "amount": "109.00",
                                                          "gst": "9.00"} in j["bySku"])
    check("5th: byTender sorted by name, change deducted, void reverses", j["byTender"] == [
        {"key": "card", "amount": "50.80"}, {"key": "cash", "amount": "60.00"}])
    check("5th: discounts by rule", j["discountsByRule"] == [{"key": "promo-pen", "amount": "0.20"}])

    # The whole range: the refund reverses the original line's SKU and category.
    s = reports.compute({1: records}, "2000-01-01", "2100-12-31")
    j = reports.sales_json(s, "2000-01-01", "2100-12-31", [1], {})
    check("all: refund takes the original line's SKU", {"key": "PEN-BLUE", "quantity": 1, "amount": "0.90",
                                                         "gst": "0.07"} in j["bySku"])
    check("all: byCategory follows", {"key": "stationery", "quantity": 1, "amount": "0.90", "gst": "0.07"}
          in j["byCategory"])
    check("all: byDay", [(e["key"], e["salesCount"], e["refundsTotal"], e["netSales"]) for e in j["byDay"]] == [
        ("2026-12-05", 2, "0.00", "110.80"), ("2026-12-06", 0, "0.90", "-0.90"), ("2026-12-07", 1, "0.00", "5.45")])
    check("all: netSales", j["totals"]["netSales"] == "115.35")
    check("all: paynow", {"key": "paynow", "amount": "5.45"} in j["byTender"])
    check("all: byOutlet", [e["key"] for e in j["byOutlet"]] == ["1"])
    g = reports.gst_json(s, "2000-01-01", "2100-12-31", [1], {})
    check("all: GST boxes", g["boxes"] == {"1": "105.83", "2": "0.00", "3": "0.00", "4": "105.83", "5": None,
                                           "6": "9.52", "7": None})
    check("all: GST byRate", g["byRate"] == [{"basisPoints": 900, "supplies": "105.83", "gst": "9.52"}])
    s = reports.compute({1: records}, "2026-12-06", "2026-12-06")
    g = reports.gst_json(s, "2026-12-06", "2026-12-06", [1], {})
    check("6th: a refund alone gives negative boxes", g["boxes"]["1"] == "-0.82" and g["boxes"]["6"] == "-0.08")
    check("nothing in range: empty lists, zero totals", reports.sales_json(
        reports.compute({1: records}, "2027-01-01", "2027-01-31"), "2027-01-01", "2027-01-31", [1], {})["byDay"] == [])

    # The Z-report check.
    lines, failures = reports.check_z({1: records})
    check("Z check: both Z-reports agree", failures == 0 and lines == [
        "Z OK: outlet 1 z 1 date 2026-12-05", "Z OK: outlet 1 z 2 date 2026-12-06"])
    bad = (1, "2026-12-05", copy.deepcopy(Z1[2]))
    bad[2]["discount_total"] = 21
    lines, failures = reports.check_z({1: scenario(z1=bad)})
    check("Z check: a differing discount total fails", failures == 1 and lines[0].startswith(
        "FAIL Z: outlet 1 z 1 date 2026-12-05: discount_total Z-report=21 report=20"))
    bad = (1, "2026-12-05", copy.deepcopy(Z1[2]))
    bad[2]["tenders"].append([2, 0])
    lines, failures = reports.check_z({1: scenario(z1=bad)})
    check("Z check: a tender kind the report never saw fails", failures == 1 and "tenders" in lines[0])
    split = chain((pos.SALE, SALE_A, "2026-12-05 10:15", "till-01", b"A" * 32),
                  (pos.DAY_CLOSE, (1, "2026-12-05", period(1, 11080, 20, 0, rates=[(900, 11080, 915)],
                                                           tenders=[(1, 6000), (3, 5080)])), "2026-12-05 12:00", "m", b"1"),
                  (pos.SALE, SALE_C, "2026-12-05 13:40", "till-02", b"C" * 32),
                  (pos.DAY_CLOSE, (2, "2026-12-05", period(1, 1093, 0, 2, rates=[(900, 1093, 90)], tenders=[(1, 1095)])),
                   "2026-12-05 22:00", "m", b"2"))
    lines, failures = reports.check_z({1: split})
    check("Z check: two Z-reports of one date are summed", failures == 0 and len(lines) == 2)
    open_late = chain((pos.SALE, SALE_A, "2026-12-05 10:15", "till-01", b"A" * 32),
                      (pos.DAY_CLOSE, (1, "2026-12-05", period(1, 11080, 20, 0, rates=[(900, 11080, 915)],
                                                               tenders=[(1, 6000), (3, 5080)])), "2026-12-05 20:00", "m",
                       b"1"),
                      (pos.SALE, SALE_D, "2026-12-05 21:00", "till-01", b"E" * 32))
    lines, failures = reports.check_z({1: open_late})
    check("Z check: an open-day sale on a closed date is reported", failures == 1 and "open day" in lines[0]
          and "without them the report equals the Z-report" in lines[0])

    # Covered late (REPORTS.md): the sales, refunds and voids in late blocks; training not counted.
    late = {1: [[1, 4, 7_200_000], [6, 6, 3_600_001]]}
    g = reports.report_json("gst", {1: scenario()}, "2026-12-05", "2026-12-05", [1], {}, late)
    check("covered late 5th: sale A, sale C and its void (the training sale not counted), one span",
          g["coveredLate"] == {"transactions": 3, "amount": "110.80", "gst": "9.15",
                               "blocks": [{"outletId": 1, "fromHeight": 1, "toHeight": 4, "largestLagMs": 7_200_000}]})
    g = reports.report_json("gst", {1: scenario()}, "2026-12-05", "2026-12-06", [1], {}, late)
    check("covered late 5th-6th: the refund counts negative, both spans in height order",
          g["coveredLate"]["transactions"] == 4 and g["coveredLate"]["amount"] == "109.90"
          and g["coveredLate"]["gst"] == "9.07" and [b["fromHeight"] for b in g["coveredLate"]["blocks"]] == [1, 6])
    g = reports.report_json("gst", {1: scenario()}, "2026-12-05", "2026-12-06", [1], {})
    check("covered late: nothing without late spans",
          g["coveredLate"] == {"transactions": 0, "amount": "0.00", "gst": "0.00", "blocks": []})

    # Tax categories: the rates total only standard-rated lines, the other supplies the rest.
    tc = tax_scenario()

    def gst_of(date_from, date_to, records=tc):
        return reports.report_json("gst", {1: records}, date_from, date_to, [1], {})
    g = gst_of("2026-12-05", "2026-12-05")
    check("tax 5th: boxes 2, 3 ZR and ES, box 4 their sum with box 1, OS in no box; boxes 5 and 7 the costed delivery",
          g["boxes"] == {"1": "10.00", "2": "50.00", "3": "20.00", "4": "80.00", "5": "53.00", "6": "0.90",
                         "7": "4.95"})
    check("tax 5th: byRate only the SR line (a ZR-only sale and its void add no rate)",
          g["byRate"] == [{"basisPoints": 900, "supplies": "10.00", "gst": "0.90"}])
    check("tax 5th: otherSupplies sorted by key, a voided ZR sale nets out",
          g["otherSupplies"] == [{"key": "ES", "amount": "20.00"}, {"key": "OS", "amount": "3.00"},
                                 {"key": "ZR", "amount": "50.00"}])
    check("tax 5th: purchases: the version-1 delivery is not one",
          g["purchases"] == {"receipts": 1, "value": "53.00", "inputGST": "4.95"})
    g = gst_of("2026-12-06", "2026-12-06")
    check("tax 6th: a refund of a ZR line takes back ZR only, no rate entry, no purchases (boxes 5, 7 null)",
          g["boxes"] == {"1": "0.00", "2": "-25.00", "3": "0.00", "4": "-25.00", "5": None, "6": "0.00", "7": None}
          and g["byRate"] == [] and g["otherSupplies"] == [{"key": "ZR", "amount": "-25.00"}]
          and g["purchases"] == {"receipts": 0, "value": "0.00", "inputGST": "0.00"})
    g = gst_of("2026-12-07", "2026-12-07")
    check("tax 7th: a costed delivery of the open day, by its block's Singapore date, and nothing else",
          g["boxes"]["5"] == "2.75" and g["boxes"]["7"] == "0.25" and g["boxes"]["1"] == "0.00"
          and g["otherSupplies"] == [] and g["purchases"]["receipts"] == 1)
    g = gst_of("2000-01-01", "2100-12-31")
    check("tax all: purchases of both costed deliveries", g["purchases"] == {"receipts": 2, "value": "55.75",
                                                                           "inputGST": "5.20"}
          and (g["boxes"]["5"], g["boxes"]["7"], g["boxes"]["2"], g["boxes"]["4"]) == ("55.75", "5.20", "25.00", "55.00"))
    uncosted = [r for r in tc if not (r["kind"] == pos.RECEIVE and r["body"][2] is not None)]
    check("tax: no costed delivery in range: boxes 5 and 7 null even with an uncosted one",
          gst_of("2000-01-01", "2100-12-31", uncosted)["boxes"]["5"] is None)
    free = chain((pos.RECEIVE, receive("DO-0", [("APPLE", 1, 0)], "Samples Ltd", 0), "2026-12-05 08:00", "m", b"s"))
    g = gst_of("2026-12-05", "2026-12-05", free)
    check("tax: a costed delivery worth 0 still makes boxes 5 and 7 0.00, not null",
          (g["boxes"]["5"], g["boxes"]["7"], g["purchases"]["receipts"]) == ("0.00", "0.00", 1))
    j = reports.report_json("sales", {1: tc}, "2026-12-05", "2026-12-05", [1], {})
    check("tax 5th: byTaxCategory like byCategory, keyed SR/ZR/ES/OS, sorted", j["byTaxCategory"] == [
        {"key": "ES", "quantity": 1, "amount": "20.00", "gst": "0.00"},
        {"key": "OS", "quantity": 1, "amount": "3.00", "gst": "0.00"},
        {"key": "SR", "quantity": 1, "amount": "10.90", "gst": "0.90"},
        {"key": "ZR", "quantity": 2, "amount": "50.00", "gst": "0.00"}])
    check("tax 5th: sales totals unchanged by categories, deliveries not sales",
          (j["totals"]["salesCount"], j["totals"]["salesTotal"], j["totals"]["netSales"]) == (2, "108.90", "83.90"))
    j = reports.report_json("sales", {1: tc}, "2026-12-06", "2026-12-06", [1], {})
    check("tax 6th: a refund line takes its sale line's category",
          j["byTaxCategory"] == [{"key": "ZR", "quantity": -1, "amount": "-25.00", "gst": "0.00"}])
    j = reports.report_json("sales", {1: records}, "2000-01-01", "2100-12-31", [1], {})
    check("tax: version-1 lines are all SR", [e["key"] for e in j["byTaxCategory"]] == ["SR"])
    lines, failures = reports.check_z({1: tc})
    check("Z check with other supplies: both agree", failures == 0 and lines == [
        "Z OK: outlet 1 z 1 date 2026-12-05", "Z OK: outlet 1 z 2 date 2026-12-06"])
    bad = (1, "2026-12-05", copy.deepcopy(ZT1[2]))
    bad[2]["other"] = [[ZR, 5000], [OS, 300]]
    lines, failures = reports.check_z({1: tax_scenario(z1=bad)})
    check("Z check: a Z-report without a category's other supplies fails", failures == 1 and lines[0].startswith(
        "FAIL Z: outlet 1 z 1 date 2026-12-05: otherSupplies Z-report={2: 5000, 4: 300} report={2: 5000, 3: 2000, 4: 300}"))
    bad = (2, "2026-12-06", copy.deepcopy(ZT2[2]))
    bad[2]["rates"] = [[900, -2500, 0]]
    bad[2]["other"] = []
    lines, failures = reports.check_z({1: tax_scenario(z2=bad)})
    check("Z check: a ZR refund counted at the rate fails", failures == 1 and "gstByRate" in lines[1])
    check("tax: unit costs: the last costed delivery of each SKU", reports.unit_costs(tc) == {"APPLE": 55,
                                                                                           "EXPORT": 1200})
    costed = {}
    put_stock(costed, 1, "APPLE", 12)
    put_price(costed, 1, "APPLE", "fruit", 109)
    put_stock(costed, 1, "EXPORT", -1)
    put_price(costed, 1, "EXPORT", "goods", 2500)
    put_stock(costed, 1, "NEW", 3)
    j = reports.stock_json({1: costed}, [1], {}, {1: reports.unit_costs(tc)})
    check("stock at cost: unitCost and costValue = max(onHand, 0) x unitCost, null without a costed delivery",
          [(i["sku"], i["unitCost"], i["costValue"]) for i in j["items"]] == [
              ("APPLE", "0.55", "6.60"), ("EXPORT", "12.00", "0.00"), ("NEW", None, None)])
    check("stock at cost: totals sum the non-null cost values", j["totals"]["costValue"] == "6.60"
          and j["totals"]["value"] == "13.08")
    check("stock at cost: the negative list carries them too", j["negative"] == [
        {"outletId": 1, "sku": "EXPORT", "category": "goods", "onHand": -1, "unitPrice": "25.00", "value": "0.00",
         "unitCost": "12.00", "costValue": "0.00"}])
    check("stock at cost: another outlet's deliveries do not cost this one's stock",
          reports.stock_json({1: costed}, [1], {}, {2: reports.unit_costs(tc)})["items"][0]["unitCost"] is None)
    mc_codes = [reports.stock_change(1, {}, r, "APPLE")[1] for r in tc if r["kind"] == pos.RECEIVE]
    check("movements: a costed delivery moves its lines' quantities", mc_codes == [10, 1, 5])

    # Comparing with another program's JSON.
    s = reports.compute({1: records}, "2000-01-01", "2100-12-31")
    mine = reports.sales_json(s, "2000-01-01", "2100-12-31", [1], {1: (8, b"\x00" * 32)})
    theirs = copy.deepcopy(mine)
    theirs["covers"] = {"heads": []}
    ok, text = reports.compare(mine, theirs)
    check("compare: equal but for covers", ok and text == "REPORT OK: sales 2000-01-01..2100-12-31 outlet 1: 3 sales, "
                                                          "net S$115.35")
    theirs["totals"]["netSales"] = "115.36"
    ok, text = reports.compare(mine, theirs)
    check("compare: a cent", not ok and text == 'FAIL report: totals.netSales python="115.35" swift="115.36"')
    theirs = copy.deepcopy(mine)
    theirs["byTender"].reverse()
    ok, text = reports.compare(mine, theirs)
    check("compare: list order", not ok and text.startswith("FAIL report: byTender keys"))
    theirs = copy.deepcopy(mine)
    theirs["bySku"][0]["quantity"] = "0"
    ok, text = reports.compare(mine, theirs)
    check("compare: a count as a string", not ok and text.startswith("FAIL report: bySku[KAYA-JAR].quantity"))
    theirs = copy.deepcopy(mine)
    del theirs["discountsByRule"]
    ok, text = reports.compare(mine, theirs)
    check("compare: a missing key", not ok and text.startswith("FAIL report: discountsByRule python="))
    theirs = copy.deepcopy(mine)
    theirs["extra"] = 1
    ok, text = reports.compare(mine, theirs)
    check("compare: an extra key", not ok and text == 'FAIL report: extra python="(missing)" swift=1')

    # Stock.
    states = stock_states()
    heads = {1: (0, None), 2: (0, None), 3: (0, None)}
    j = reports.stock_json(states, [1, 2, 3], heads)
    items = {(i["outletId"], i["sku"]): i for i in j["items"]}
    check("stock: items sorted by outlet, then SKU as UTF-8 bytes",
          [(i["outletId"], i["sku"]) for i in j["items"]] == [(1, "GHOST"), (1, "TV"), (1, "ZERO"), (1, "Zed"),
                                                              (1, "b-lower"), (1, "ÉCLAIR"), (2, "MILK")])
    check("stock: negative stock is worth 0", items[(1, "TV")] == {
        "outletId": 1, "sku": "TV", "category": "electronics", "onHand": -4, "unitPrice": "1299.00", "value": "0.00",
        "unitCost": None, "costValue": None})
    check("stock: without a price record: empty category, price 0", items[(1, "GHOST")] == {
        "outletId": 1, "sku": "GHOST", "category": "", "onHand": 5, "unitPrice": "0.00", "value": "0.00",
        "unitCost": None, "costValue": None})
    check("stock: value = on hand x unit price", items[(1, "Zed")]["value"] == "7.50"
          and items[(1, "ÉCLAIR")]["value"] == "4.20" and items[(1, "b-lower")]["unitPrice"] == "1.00")
    check("stock: a zero record is an item", items[(1, "ZERO")]["onHand"] == 0)
    check("stock: negative list", j["negative"] == [items[(1, "TV")]])
    check("stock: totals (negative units count, their value does not)", j["totals"] == {
        "skus": 7, "units": 2 + 3 + 1 - 4 + 5 + 0 + 7, "value": "39.25", "costValue": "0.00", "negativeSkus": 1,
        "transfersInTransit": 3})
    check("stock: in transit: unmatched outgoing halves only, by transfer id", j["inTransit"] == [
        {"transferId": "00" * 16, "from": 2, "to": 1, "lines": [{"sku": "MILK", "quantity": 3}]},
        {"transferId": "02" * 16, "from": 1, "to": 3, "lines": [{"sku": "Zed", "quantity": 2}, {"sku": "TV", "quantity": 1}]},
        {"transferId": "09" * 16, "from": 1, "to": 99, "lines": [{"sku": "Zed", "quantity": 1}]}])
    only3 = reports.stock_json(states, [3], heads)
    check("stock --outlet 3: no items of its own, the transfer to it in transit",
          only3["items"] == [] and [t["transferId"] for t in only3["inTransit"]] == ["02" * 16]
          and only3["totals"]["transfersInTransit"] == 1 and only3["totals"]["value"] == "0.00")
    only2 = reports.stock_json(states, [2], heads)
    check("stock --outlet 2: its own unreceived transfer out, not the received one",
          [t["transferId"] for t in only2["inTransit"]] == ["00" * 16])
    received = stock_states()
    put_transfer(received[3], bytes([2]) * 16, False, 3, 1, [("Zed", 2), ("TV", 1)])
    check("stock: an incoming half on the counterpart's chain ends the transit",
          [t["transferId"] for t in reports.stock_json(received, [1, 2, 3], heads)["inTransit"]] == ["00" * 16, "09" * 16])
    elsewhere = stock_states()
    put_transfer(elsewhere[2], bytes([2]) * 16, False, 2, 1, [("Zed", 2), ("TV", 1)])
    check("stock: an incoming half on another chain than the counterpart's does not",
          "02" * 16 in [t["transferId"] for t in reports.stock_json(elsewhere, [1], heads)["inTransit"]])
    theirs = copy.deepcopy(j)
    theirs["items"][1]["value"] = "-5196.00"
    ok, text = reports.compare(j, theirs)
    check("compare stock: an item's path names outlet and SKU",
          not ok and text == 'FAIL report: items[1/TV].value python="0.00" swift="-5196.00"')
    ok, text = reports.compare(j, copy.deepcopy(j))
    check("compare stock: OK line", ok and text == "REPORT OK: stock all outlets: 7 SKUs, 14 units worth S$39.25, "
                                                   "1 negative, 3 transfer(s) in transit")

    # Loyalty: day d = 2026-12-05, W = 30.
    d = reports.day_number("2026-12-05")
    check("day number of a civil date", d == 20792 and reports.day_number("1970-01-01") == 0
          and reports.day_number("2024-03-01") - reports.day_number("2024-02-28") == 2)
    l1, l2 = {}, {}
    put_member(l1, "M1", [(d - 1, 1), (d, 10), (d + 29, 100), (d + 30, 1000)], earned=1111, redeemed=5, expired=7)
    put_member(l1, "M2", [], earned=3, redeemed=3)
    put_member(l2, "M1", [(d + 400, 20000)], earned=20000)  # the same member id at another outlet: its own account
    l2[pos.K_SETTINGS] = pos.enc_settings({"point_value": 3, "ppd": 1, "months": 12, "tender": False, "rounding": True})
    # Outlet 2 claimed on credit: 500 outstanding at the checkpoint, 200 since, of 5000 allowed.
    l2[b"\x1e"] = pos.enc_allowance({"checkpoint": 3, "covered": 40, "outstanding": 500, "allowance": 5000,
                                      "recent": [(41, 150), (44, 50)]})
    f = reports.loyalty_figures(l1, d, 30)
    check("loyalty: a lot expiring on d still counts, one expiring before does not", f["outstandingPoints"] == 1110)
    check("loyalty: expiring: expiresOn in [d, d + W)", f["expiringPoints"] == 110)
    check("loyalty: W = 1 counts only the lots expiring on d", reports.loyalty_figures(l1, d, 1)["expiringPoints"] == 10)
    check("loyalty: the lifetime totals as stored, members counted without lots",
          (f["members"], f["earnedTotal"], f["redeemedTotal"], f["expiredTotal"]) == (2, 1114, 8, 7))
    check("loyalty: point value 1 without settings", f["pointValueCents"] == 1 and f["liability"] == 1110)
    j = reports.loyalty_json({1: l1, 2: l2}, [1, 2], {}, "2026-12-05", 30)
    check("loyalty: by outlet", j["byOutlet"] == [
        {"key": "1", "members": 2, "outstandingPoints": 1110, "liability": "11.10", "expiringPoints": 110,
         "expiringLiability": "1.10", "earnedTotal": 1114, "redeemedTotal": 8, "expiredTotal": 7, "pointValueCents": 1,
         "allowance": 0, "onCredit": 0},
        {"key": "2", "members": 1, "outstandingPoints": 20000, "liability": "600.00", "expiringPoints": 0,
         "expiringLiability": "0.00", "earnedTotal": 20000, "redeemedTotal": 0, "expiredTotal": 0, "pointValueCents": 3,
         "allowance": 5000, "onCredit": 700}])
    check("loyalty: totals sum the outlets' liabilities, point value 0", j["totals"] == {
        "key": "all", "members": 3, "outstandingPoints": 21110, "liability": "611.10", "expiringPoints": 110,
        "expiringLiability": "1.10", "earnedTotal": 21114, "redeemedTotal": 8, "expiredTotal": 7, "pointValueCents": 0,
        "allowance": 5000, "onCredit": 700})
    check("loyalty: header", (j["report"], j["on"], j["withinDays"], j["outlets"]) == ("loyalty", "2026-12-05", 30, [1, 2]))
    later = reports.loyalty_json({1: l1, 2: l2}, [1], {}, "2027-01-04", 30)
    check("loyalty: on d + 30 only the last lot is usable, and it expires that day",
          (later["totals"]["outstandingPoints"], later["totals"]["expiringPoints"]) == (1000, 1000))
    check("loyalty: expiry dates of the lots", reports.expiry_dates({1: l1, 2: l2}, [1]) == [
        "2026-12-04", "2026-12-05", "2027-01-03", "2027-01-04"])
    ok, text = reports.compare(j, copy.deepcopy(j))
    check("compare loyalty: OK line", ok and text == "REPORT OK: loyalty on 2026-12-05 within 30 days, all outlets: "
                                                     "3 members, 21110 points outstanding (S$611.10), 110 expiring (S$1.10)")

    # Exceptions: helpers.
    check("S$ money", (reports.sgd(1230), reports.sgd(-5), reports.sgd(0)) == ("S$12.30", "-S$0.05", "S$0.00"))
    check("Singapore time of a block, seconds floored", reports.sg_time(sg_ms("2026-12-05 23:59") + 59_999)
          == "2026-12-05 23:59:59" and reports.sg_time(0) == "1970-01-01 08:00:00")
    check("large discount: exactly P % counts", reports.large_discount(1000, 200, 2000)
          and not reports.large_discount(1000, 199, 2000))
    check("large discount: 1 % of S$1.00 is 1 cent, of S$1.01 it is more",
          reports.large_discount(100, 1, 100) and not reports.large_discount(101, 1, 100))
    check("large discount: none without a subtotal or a discount", not reports.large_discount(0, 5, 100)
          and not reports.large_discount(1000, 0, 100) and not reports.large_discount(-100, 5, 100))

    # Exceptions over both days, default thresholds (20 %, 10 sales a day).
    ex = exception_chains()
    j = reports.exceptions_json(ex, "2000-01-01", "2100-12-31", [1, 2, 10], {})
    brief = [(i["kind"], i["outletId"], i["businessDate"], i["amount"]) for i in j["items"]]
    check("exceptions: every item in the walk's order, outlets ascending", brief == [
        ("large-discount", 1, "2026-12-05", "3.00"), ("void", 1, "2026-12-05", "1.80"), ("no-sale", 1, "2026-12-05", None),
        ("cash-variance", 1, "2026-12-05", "-0.10"), ("points-adjustment", 1, "2026-12-05", None),
        ("refund", 1, "2026-12-06", "4.30"), ("cash-variance", 1, "2026-12-06", "0.50"),
        ("refund", 2, "2026-12-06", "3.65"), ("refund", 10, "2026-12-06", "1.00")])
    items = j["items"]
    check("exceptions: a large discount's item", items[0] == {
        "kind": "large-discount", "outletId": 1, "till": "till-01", "businessDate": "2026-12-05",
        "time": "2026-12-05 10:20:00", "transactionId": X2.hex(), "amount": "3.00",
        "detail": "receipt 2: discount S$3.00 of S$7.30"})
    check("exceptions: a void names its sale's receipt and takes its total",
          (items[1]["detail"], items[1]["till"]) == ("receipt 1: wrong item", "till-02"))
    check("exceptions: a no-sale's detail is its reason", items[2]["detail"] == "change for a customer")
    check("exceptions: a short shift", items[3]["detail"] == "counted S$385.85, expected S$385.95")
    check("exceptions: a points adjustment after midnight takes the Z's date, its block's time",
          items[4]["detail"] == "member M1: -150 points, duplicate bonus" and items[4]["time"] == "2026-12-06 00:10:00"
          and items[4]["till"] == "manager")
    check("exceptions: a refund names the first 16 hex digits of its sale and an ellipsis",
          items[5]["detail"] == "credit note 1 for sale 9a211560da5f47f5\u2026: corked")
    check("exceptions: an over shift", items[6]["detail"] == "counted S$5.00, expected S$4.50")
    check("exceptions: no item for an even shift, a training sale's discount or a sale under P %",
          tx_id("07", 7).hex() not in [i["transactionId"] for i in items] and tx_id("0f", 15).hex()
          not in [i["transactionId"] for i in items] and X1.hex() not in [i["transactionId"] for i in items])
    check("exceptions: counts by kind, only the kinds found", j["counts"] == {
        "cash-variance": 2, "large-discount": 1, "no-sale": 1, "points-adjustment": 1, "refund": 3, "void": 1})
    check("exceptions: thresholds", j["thresholds"] == {"discountPercent": "20.00", "memberSalesPerDay": 10,
                                                        "cashVariance": "0.01"})
    check("exceptions: refunds by outlet/till, keys sorted as strings", j["refundsByTill"] == [
        {"key": "1/till-03", "count": 1, "total": "4.30"}, {"key": "10/till-01", "count": 1, "total": "1.00"},
        {"key": "2/till-01", "count": 1, "total": "3.65"}])
    fifth = reports.exceptions_json(ex, "2026-12-05", "2026-12-05", [1, 2, 10], {})
    check("exceptions of the 5th: the closed day only", [i["kind"] for i in fifth["items"]] == [
        "large-discount", "void", "no-sale", "cash-variance", "points-adjustment"] and fifth["refundsByTill"] == [])
    ten = reports.exceptions_json(ex, "2026-12-05", "2026-12-05", [1, 2, 10], {}, basis_points=1000)
    check("exceptions at 10 %: X1's 10 % discount is one too", [i["detail"] for i in ten["items"][:2]] == [
        "receipt 1: discount S$0.20 of S$2.00", "receipt 2: discount S$3.00 of S$7.30"])

    # Members' sales per business date: with M = 1 the second sale of a member on one date.
    j = reports.exceptions_json(ex, "2000-01-01", "2100-12-31", [1, 2, 10], {}, basis_points=100, member_sales=1)
    velocity = [(i["outletId"], i["transactionId"], i["detail"]) for i in j["items"] if i["kind"] == "member-velocity"]
    check("velocity: once per member and date, after the sale's large discount; training sales do not count; "
          "the 6th's count spans outlets 1 and 2", velocity == [
              (1, X2.hex(), "member M1: more than 1 sales on 2026-12-05"),
              (2, tx_id("21", 0x21).hex(), "member M1: more than 1 sales on 2026-12-06")])
    kinds = [i["kind"] for i in j["items"]]
    check("velocity: right after the large discount of the same sale",
          kinds[:4] == ["large-discount", "large-discount", "member-velocity", "void"])
    alone = reports.exceptions_json({2: ex[2]}, "2000-01-01", "2100-12-31", [2], {}, basis_points=100, member_sales=1)
    check("velocity: outlet 2 alone has one sale of M1 on the 6th", "member-velocity" not in alone["counts"])
    twice = reports.exceptions_json(ex, "2000-01-01", "2100-12-31", [1, 2, 10], {}, member_sales=2)
    check("velocity: M = 2 is not reached by two sales", "member-velocity" not in twice["counts"])
    check("exceptions: thresholds of 1 %", j["thresholds"]["discountPercent"] == "1.00"
          and j["thresholds"]["memberSalesPerDay"] == 1)
    check("exceptions: nothing in range", reports.exceptions_json(ex, "2027-01-01", "2027-01-01", [1], {}) == {
        "report": "exceptions", "from": "2027-01-01", "to": "2027-01-01", "outlets": [1], "covers": {"heads": []},
        "thresholds": {"discountPercent": "20.00", "memberSalesPerDay": 10, "cashVariance": "0.01"}, "counts": {},
        "items": [], "refundsByTill": []})
    lost = {1: [r for r in ex[1] if r["txid"] != X1]}
    try:
        reports.exceptions(lost, "2000-01-01", "2100-12-31")
        check("exceptions: a void of a sale not in the chain is refused", False)
    except reports.ReportError as error:
        check("exceptions: a void of a sale not in the chain is refused", "is not in the chain" in str(error))

    # Promotions.
    pc = promotion_chains()
    j = reports.promotions_json(pc, "2026-12-05", "2026-12-05", [1], {})
    check("promotions of the 5th: a sale counts once per rule, each discounted line once", j["rules"] == [
        {"rule": "promo-a", "sales": 1, "lines": 2, "discount": "0.80"},
        {"rule": "promo-b", "sales": 2, "lines": 2, "discount": "0.15"}])
    check("promotions of the 5th: total; training sales and refunds do not count", j["totalDiscount"] == "0.95")
    j = reports.promotions_json(pc, "2026-12-06", "2026-12-06", [1], {})
    check("promotions of the 6th: a void alone takes its sale's discounts back", j["rules"] == [
        {"rule": "promo-a", "sales": -1, "lines": -2, "discount": "-0.80"},
        {"rule": "promo-b", "sales": -1, "lines": -1, "discount": "-0.10"}] and j["totalDiscount"] == "-0.90")
    j = reports.promotions_json(pc, "2000-01-01", "2100-12-31", [1], {})
    check("promotions over both: a voided rule stays listed at zero", j["rules"] == [
        {"rule": "promo-a", "sales": 0, "lines": 0, "discount": "0.00"},
        {"rule": "promo-b", "sales": 1, "lines": 1, "discount": "0.05"}] and j["totalDiscount"] == "0.05")
    twice = {1: chain((pos.SALE, xsale(1, [line("A", "x", 1, True, 100, 8, [("promo-a", 1), ("promo-a", 2)])]),
                       "2026-12-05 10:00", "t", P1))}
    check("promotions: two discounts of one rule on a line count as two lines, one sale",
          reports.promotions(twice, "2026-12-05", "2026-12-05") == {"promo-a": [1, 2, 3]})
    check("promotions: the loyalty-points rule is a rule", reports.promotions(ex, "2026-12-05", "2026-12-05") == {
        "loyalty-points": [1, 1, 300], "promo-pen": [0, 0, 0]})
    check("promotions: nothing in range", reports.promotions_json(pc, "2027-01-01", "2027-01-01", [1], {})
          ["rules"] == [])

    check("promotions: without skip reasons notApplied is empty", reports.promotions_json(
        pc, "2000-01-01", "2100-12-31", [1], {})["notApplied"] == [])

    # Promotions, notApplied: the (rule, reason) entries of the sales' skip reasons (FORMAT.md
    # §13.2 sale version 4). On the 5th: S1 with two reasons, S2 with one of S1's and another of
    # the same rule, a training sale's reason (not counted), a refund of S1 (nothing); Z 1; on
    # the 6th S1's void (its entries −1), S4 with a reason no sale in range held before.
    dairy, members = "promo.dairy-3off", "S$3 off dairy for members"
    s1, s2, s4 = tx_id("c1", 0xc1), tx_id("c2", 0xc2), tx_id("c4", 0xc4)

    def skipping(receipt, skipped, training=False):
        return dict(xsale(receipt, [line("MILK-1L", "dairy", 1, True, 365, 30)], training=training), skipped=skipped)
    nc = {1: chain((pos.SALE, skipping(1, [("promo.z", "closed"), (dairy, members)]), "2026-12-05 10:00", "till-01", s1),
                   (pos.SALE, skipping(2, [(dairy, members), (dairy, "all 1,000 given"), ("Promo.Z", "\u00e9t\u00e9")]),
                    "2026-12-05 10:05", "till-01", s2),
                   (pos.SALE, skipping(3, [("promo.t", "training")], training=True), "2026-12-05 10:10", "till-01",
                    tx_id("c3", 0xc3)),
                   (pos.REFUND, dict(REFUND_X2, original=s1, lines=[(0, 1, 365, 30)], amount=365), "2026-12-05 11:00",
                    "till-01", tx_id("c5", 0xc5)),
                   (pos.DAY_CLOSE, (1, "2026-12-05", period()), "2026-12-05 22:00", "manager", tx_id("c6", 0xc6)),
                   (pos.VOID, {"original": s1, "reason": "customer left"}, "2026-12-06 09:00", "till-01",
                    tx_id("c7", 0xc7)),
                   (pos.SALE, skipping(4, [(dairy, "limit reached: twice per member")]), "2026-12-06 09:30", "till-01",
                    s4))}
    j = reports.promotions_json(nc, "2026-12-05", "2026-12-05", [1], {})
    check("notApplied of the 5th: per (rule, reason), by rule then reason bytewise; training and refunds aside",
          j["notApplied"] == [{"rule": "Promo.Z", "reason": "\u00e9t\u00e9", "sales": 1},
                              {"rule": dairy, "reason": "S$3 off dairy for members", "sales": 2},
                              {"rule": dairy, "reason": "all 1,000 given", "sales": 1},
                              {"rule": "promo.z", "reason": "closed", "sales": 1}]
          and j["rules"] == [] and j["totalDiscount"] == "0.00")
    j = reports.promotions_json(nc, "2026-12-06", "2026-12-06", [1], {})
    check("notApplied of the 6th: a void alone takes its sale's entries back, creating them",
          j["notApplied"] == [{"rule": dairy, "reason": "S$3 off dairy for members", "sales": -1},
                              {"rule": dairy, "reason": "limit reached: twice per member", "sales": 1},
                              {"rule": "promo.z", "reason": "closed", "sales": -1}])
    j = reports.promotions_json(nc, "2000-01-01", "2100-12-31", [1], {})
    check("notApplied over both: an entry voided to 0 stays listed", j["notApplied"] == [
        {"rule": "Promo.Z", "reason": "\u00e9t\u00e9", "sales": 1},
        {"rule": dairy, "reason": "S$3 off dairy for members", "sales": 1},
        {"rule": dairy, "reason": "all 1,000 given", "sales": 1},
        {"rule": dairy, "reason": "limit reached: twice per member", "sales": 1},
        {"rule": "promo.z", "reason": "closed", "sales": 0}])
    ordered = {1: chain((pos.SALE, skipping(1, [("r", "\uff21"), ("r", "\U0001f600"), ("r", "z"), ("r", "")]),
                         "2026-12-05 10:00", "t", s1))}
    check("notApplied: reasons sorted bytewise on UTF-8 (the empty one first, U+FF21 before U+1F600)",
          [e["reason"] for e in reports.promotions_json(ordered, "2026-12-05", "2026-12-05", [1], {})["notApplied"]]
          == ["", "z", "\uff21", "\U0001f600"])
    theirs = copy.deepcopy(j)
    theirs["notApplied"][2]["sales"] = 2
    ok, text = reports.compare(j, theirs)
    check("compare promotions: a notApplied entry's path names its rule and reason", not ok and text ==
          "FAIL report: notApplied[promo.dairy-3off: all 1,000 given].sales python=1 swift=2")
    theirs = copy.deepcopy(j)
    del theirs["notApplied"][4]
    ok, text = reports.compare(j, theirs)
    check("compare promotions: a missing notApplied entry", not ok and text.startswith("FAIL report: notApplied keys"))

    # Comparing exceptions and promotions.
    mine = reports.exceptions_json(ex, "2000-01-01", "2100-12-31", [1, 2, 10], {})
    ok, text = reports.compare(mine, copy.deepcopy(mine))
    check("compare exceptions: OK line", ok and text == (
        "REPORT OK: exceptions 2000-01-01..2100-12-31 (discount 20.00%, 10 member sales a day): 9 items "
        "(2 cash-variance, 1 large-discount, 1 no-sale, 1 points-adjustment, 3 refund, 1 void)"))
    theirs = copy.deepcopy(mine)
    theirs["items"][6]["amount"] = "0.49"
    ok, text = reports.compare(mine, theirs)
    check("compare exceptions: items by position", not ok and text ==
          'FAIL report: items[6].amount python="0.50" swift="0.49"')
    theirs = copy.deepcopy(mine)
    theirs["items"][2]["amount"] = "0.00"
    ok, text = reports.compare(mine, theirs)
    check("compare exceptions: a null amount is not zero", not ok and text ==
          'FAIL report: items[2].amount python=null swift="0.00"')
    theirs = copy.deepcopy(mine)
    theirs["items"][1], theirs["items"][2] = theirs["items"][2], theirs["items"][1]
    ok, text = reports.compare(mine, theirs)
    check("compare exceptions: order matters", not ok and text == 'FAIL report: items[1].kind python="void" swift="no-sale"')
    theirs = copy.deepcopy(mine)
    theirs["items"].pop()
    ok, text = reports.compare(mine, theirs)
    check("compare exceptions: a missing last item", not ok and text == "FAIL report: items length python=9 swift=8")
    theirs = copy.deepcopy(mine)
    theirs["counts"]["member-velocity"] = 0
    ok, text = reports.compare(mine, theirs)
    check("compare exceptions: a zero count is a difference", not ok and text ==
          'FAIL report: counts.member-velocity python="(missing)" swift=0')
    mine = reports.promotions_json(pc, "2026-12-05", "2026-12-05", [1], {})
    theirs = copy.deepcopy(mine)
    theirs["rules"][1]["lines"] = 3
    ok, text = reports.compare(mine, theirs)
    check("compare promotions: a rule's path names it", not ok and text ==
          "FAIL report: rules[promo-b].lines python=2 swift=3")
    ok, text = reports.compare(mine, copy.deepcopy(mine))
    check("compare promotions: OK line", ok and text == "REPORT OK: promotions 2026-12-05..2026-12-05 outlet 1: "
                                                        "2 rule(s), S$0.95 discount")

    # Movements: one SKU's stock card.
    mc = movement_chain()
    opening, items = reports.movements(mc, 1, "MILK-1L", "2000-01-01", "2100-12-31")
    check("movements: every change of MILK-1L in chain order with its balance", opening == 0 and [
        (i["kind"], i["businessDate"], i["change"], i["balance"], i["detail"]) for i in items] == [
        ("receipt", "2026-12-05", 30, 30, "delivery DO-1"),
        ("sale", "2026-12-05", -3, 27, "receipt 1"),
        ("sale", "2026-12-05", -4, 23, "receipt 2"),
        ("void", "2026-12-05", 4, 27, "receipt 2 voided: wrong item"),
        ("adjustment", "2026-12-05", -2, 25, "expired: past date"),
        ("refund", "2026-12-06", 2, 27, "credit note 1, restocked: spoilt"),
        ("count", "2026-12-06", -1, 26, "counted 20, book 21"),
        ("transfer-out", "2026-12-06", -5, 21, "to outlet 2"),
        ("transfer-in", "2026-12-07", 7, 28, "from outlet 3")])
    check("movements: an item's fields, signer and Singapore time of its block", items[1] == {
        "kind": "sale", "businessDate": "2026-12-05", "time": "2026-12-05 10:00:00", "transactionId": M1.hex(),
        "by": "till-01", "change": -3, "balance": 27, "detail": "receipt 1"})
    listed = [i["transactionId"] for i in items]
    check("movements: no training sale, refund without restock, zero variance or other SKU's adjustment",
          all(tx_id(p, n).hex() not in listed for p, n in (("d2", 0xd2), ("d7", 0xd7), ("d9", 0xd9), ("d4", 0xd4))))
    _, pen = reports.movements(mc, 1, "PEN", "2000-01-01", "2100-12-31")
    check("movements: another SKU of the same transactions", [(i["kind"], i["change"], i["balance"], i["detail"])
                                                              for i in pen] == [
        ("receipt", 10, 10, "delivery DO-1"), ("sale", -1, 9, "receipt 1"), ("adjustment", -1, 8, "damaged: broken"),
        ("refund", 1, 9, "credit note 1, restocked: spoilt"), ("count", -1, 8, "counted 8, book 9"),
        ("transfer-in", 1, 9, "from outlet 3")])
    j = reports.movements_json(mc, 1, "MILK-1L", "2026-12-06", "2026-12-06", {})
    check("movements of the 6th: the 5th makes the opening balance",
          (j["opening"], j["closing"], [i["balance"] for i in j["movements"]]) == (25, 21, [27, 26, 21]))
    check("movements: the JSON document", list(j) == ["report", "sku", "outletId", "from", "to", "covers", "opening",
                                                      "closing", "movements"]
          and (j["report"], j["sku"], j["outletId"], j["from"], j["to"]) == ("movements", "MILK-1L", 1, "2026-12-06",
                                                                              "2026-12-06")
          and list(j["movements"][0]) == ["kind", "businessDate", "time", "transactionId", "by", "change", "balance",
                                          "detail"])
    j = reports.movements_json(mc, 1, "MILK-1L", "2000-01-01", "2026-12-05", {})
    check("movements to the 5th: later business dates are not walked",
          (j["opening"], j["closing"], len(j["movements"])) == (0, 25, 5))
    j = reports.movements_json(mc, 1, "MILK-1L", "2026-12-08", "2100-12-31", {})
    check("movements after the last: no items, closing = opening = the whole history",
          (j["opening"], j["closing"], j["movements"]) == (28, 28, []))
    j = reports.movements_json(mc, 1, "MILK-1L", "2000-01-01", "2026-12-04", {})
    check("movements before the first: nothing", (j["opening"], j["closing"], j["movements"]) == (0, 0, []))
    j = reports.movements_json(mc, 1, "NO-SUCH-SKU", "2000-01-01", "2100-12-31", {})
    check("movements of a SKU never moved", (j["opening"], j["closing"], j["movements"]) == (0, 0, []))
    j = reports.movements_json(mc, 1, "MILK-1L", "2000-01-01", "2100-12-31",
                               {1: (15, b"\xab" * 32), 2: (9, b"\xcd" * 32)})
    check("movements: covers the heads given", j["covers"] == {"heads": [
        {"outletId": 1, "height": 15, "blockId": "ab" * 32}, {"outletId": 2, "height": 9, "blockId": "cd" * 32}]})
    # An open day dated before a closed date: Z 1 names the 3rd, the receipt after it is dated
    # the 2nd by its block; over the 3rd it is opening stock though it comes later in the chain.
    early = chain((pos.RECEIVE, ("DO-A", [("MILK-1L", 3)]), "2026-01-02 10:00", "m", tx_id("e1", 0xe1)),
                  (pos.DAY_CLOSE, (1, "2026-01-03", period()), "2026-01-02 11:00", "m", tx_id("e2", 0xe2)),
                  (pos.RECEIVE, ("DO-B", [("MILK-1L", 5)]), "2026-01-02 12:00", "m", tx_id("e3", 0xe3)))
    j = reports.movements_json(early, 1, "MILK-1L", "2026-01-03", "2026-01-03", {})
    check("movements: an earlier-dated open day is opening stock", (j["opening"], j["closing"], [
        (i["detail"], i["balance"]) for i in j["movements"]]) == (5, 8, [("delivery DO-A", 8)]))
    j = reports.movements_json(early, 1, "MILK-1L", "2026-01-02", "2026-01-02", {})
    check("movements: the open day alone", (j["opening"], j["closing"], [i["detail"] for i in j["movements"]])
          == (0, 5, ["delivery DO-B"]))
    lost = [r for r in mc if r["txid"] != M2]
    try:
        reports.movements(lost, 1, "MILK-1L", "2000-01-01", "2100-12-31")
        check("movements: a void of a sale not in the chain is refused", False)
    except reports.ReportError as error:
        check("movements: a void of a sale not in the chain is refused", "is not in the chain" in str(error))
    bad = copy.deepcopy(mc)
    bad[8]["body"]["lines"].append((3, 1, 1, 0))
    try:
        reports.movements(bad, 1, "MILK-1L", "2000-01-01", "2100-12-31")
        check("movements: a refund of a line the sale lacks is refused", False)
    except reports.ReportError as error:
        check("movements: a refund of a line the sale lacks is refused", "refunds line 3" in str(error))
    mine = reports.movements_json(mc, 1, "MILK-1L", "2026-12-06", "2026-12-06", {1: (15, b"\xab" * 32)})
    theirs = copy.deepcopy(mine)
    theirs["covers"] = {"heads": []}
    ok, text = reports.compare(mine, theirs)
    check("compare movements: OK line, covers aside", ok and text == (
        "REPORT OK: movements MILK-1L outlet 1 2026-12-06..2026-12-06: opening 25, 3 movement(s), closing 21"))
    theirs["movements"][1]["balance"] = 25
    ok, text = reports.compare(mine, theirs)
    check("compare movements: items by position", not ok and text ==
          "FAIL report: movements[1].balance python=26 swift=25")
    theirs = copy.deepcopy(mine)
    theirs["movements"][0], theirs["movements"][1] = theirs["movements"][1], theirs["movements"][0]
    ok, text = reports.compare(mine, theirs)
    check("compare movements: order matters", not ok and text ==
          'FAIL report: movements[0].kind python="refund" swift="count"')
    theirs = copy.deepcopy(mine)
    theirs["movements"].pop()
    ok, text = reports.compare(mine, theirs)
    check("compare movements: a missing last movement", not ok and text ==
          "FAIL report: movements length python=3 swift=2")

    # Lot: where one lot is, replayed from the bodies of every outlet chain (FORMAT.md §13.6).
    check("lot: the GTINs of the cases are valid, 2027-12-31 is day 21183",
          lots.gtin_valid(G) and lots.gtin_valid(G2) and reports.day_number("2027-12-31") == E)
    lc = lot_chains()
    recall_id = hashlib.sha256(b"SGPOS/recall/v1\x00" + recall_bytes(G, "L1", RECALL_REASON)).hexdigest()
    j = reports.lot_json(lc, {1: (15, b"\xab" * 32), 2: (6, b"\xcd" * 32), 3: (0, b""), 5: (2, b"\xef" * 32)}, G, "L1")
    check("lot: the JSON document", sorted(j) == ["covers", "gtin", "inTransit", "lot", "outlets", "report", "sold",
                                                  "totals"]
          and (j["report"], j["gtin"], j["lot"]) == ("lot", G, "L1"))
    check("lot: covers the heads given (a chain at height 0 left out)", j["covers"] == {"heads": [
        {"outletId": 1, "height": 15, "blockId": "ab" * 32}, {"outletId": 2, "height": 6, "blockId": "cd" * 32},
        {"outletId": 5, "height": 2, "blockId": "ef" * 32}]})
    rows = {row["outletId"]: row for row in j["outlets"]}
    check("lot: outlets that received, moved or sold the lot or recorded its recall, by id (5 had G2's L1 and L2 "
          "only)", [row["outletId"] for row in j["outlets"]] == [1, 2, 3, 4])
    check("lot outlet 1: received 20; sold 2 + 2 (S1) + 1 (S2) + 3 − 3 (S3 voided) + 1 (S4), not the training "
          "sale's 2 nor L2's, the refund not given back; out 5 (TA) + 3 (TB); on hand 20 − 8 − 6; its recall",
          rows[1] == {"outletId": 1, "sku": "MILK-1L", "expiry": "2027-12-31", "received": 20, "transferredIn": 0,
                      "transferredOut": 8, "sold": 6, "onHand": 6,
                      "recall": {"recallId": recall_id, "checkpoint": 7, "reason": RECALL_REASON}})
    check("lot outlet 2: received 6 without expiry, TA's 5 in sets the expiry; sold 2 + 1 + 1; 1 out to 99; "
          "on hand 6 + 5 − 1 − 4; no recall recorded",
          rows[2] == {"outletId": 2, "sku": "MILK-1L", "expiry": "2027-12-31", "received": 6, "transferredIn": 5,
                      "transferredOut": 1, "sold": 4, "onHand": 6})
    check("lot outlet 3: the recall alone (checkpoint 9), SKU empty and every figure 0, no expiry",
          rows[3] == {"outletId": 3, "sku": "", "received": 0, "transferredIn": 0, "transferredOut": 0, "sold": 0,
                      "onHand": 0, "recall": {"recallId": recall_id, "checkpoint": 9, "reason": RECALL_REASON}})
    check("lot outlet 4: a receipt without expiry: the expiry is left out",
          rows[4] == {"outletId": 4, "sku": "MILK-1L", "received": 2, "transferredIn": 0, "transferredOut": 0,
                      "sold": 0, "onHand": 2})
    check("lot: in transit, by transfer id: TD 2 -> 99 (no chain) 1, TB 1 -> 3 2 + 1 on two lines; not TA "
          "(received), TC (L2 only) nor TX (no lots)", j["inTransit"] == [
              {"transferId": "0d" * 16, "from": 2, "to": 99, "quantity": 1},
              {"transferId": "bb" * 16, "from": 1, "to": 3, "quantity": 3}])
    check("lot: the sales still standing by outlet, then time t (P3 at .100 before P2 at .900 in the same second, "
          "whatever their ids), then id; S4's time is its t, not its block's (after midnight)", j["sold"] == [
              {"outletId": 1, "transactionId": "41" * 32, "till": "till-01", "receiptNumber": 1, "memberId": "M1",
               "quantity": 4, "time": "2026-12-05 10:00:00"},
              {"outletId": 1, "transactionId": "42" * 32, "till": "till-02", "receiptNumber": 1, "memberId": "",
               "quantity": 1, "time": "2026-12-05 10:30:00"},
              {"outletId": 1, "transactionId": "44" * 32, "till": "till-01", "receiptNumber": 3, "memberId": "M1",
               "quantity": 1, "time": "2026-12-05 23:59:59"},
              {"outletId": 2, "transactionId": "51" * 32, "till": "till-01", "receiptNumber": 1, "memberId": "M3",
               "quantity": 2, "time": "2026-12-05 09:00:00"},
              {"outletId": 2, "transactionId": "ff" * 32, "till": "till-02", "receiptNumber": 3, "memberId": "",
               "quantity": 1, "time": "2026-12-06 10:00:05"},
              {"outletId": 2, "transactionId": "01" * 32, "till": "till-01", "receiptNumber": 2, "memberId": "M1",
               "quantity": 1, "time": "2026-12-06 10:00:05"}])
    check("lot: totals (received 20 + 6 + 2, sold 6 + 4, on hand 6 + 6 + 2, in transit 1 + 3, 6 sales, members "
          "M1 and M3: M1 at two outlets once, guests not)", j["totals"] == {
              "received": 28, "sold": 10, "onHand": 14, "inTransit": 4, "sales": 6, "members": 2})
    check("lot: every unit received is on hand, sold or in transit", j["totals"]["received"] == j["totals"]["onHand"]
          + j["totals"]["sold"] + j["totals"]["inTransit"])
    saved = reports.LOT_SALES_LISTED
    reports.LOT_SALES_LISTED = 2
    try:
        capped = reports.lot_json(lc, {}, G, "L1")
    finally:
        reports.LOT_SALES_LISTED = saved
    check("lot: at most LOT_SALES_LISTED sales listed (the first by outlet and time), the totals count every one",
          [s["transactionId"] for s in capped["sold"]] == ["41" * 32, "42" * 32] and capped["totals"]["sales"] == 6
          and capped["totals"]["members"] == 2 and reports.LOT_SALES_LISTED == 100_000)
    j2 = reports.lot_json(lc, {}, G, "L2")
    check("lot L2: outlet 1's 4 received, 1 sold (S1), 1 out to 2 in transit, recalled at checkpoint 8; outlet 4's "
          "3 with expiry; outlet 5's 4", (
              [(r["outletId"], r.get("expiry"), r["received"], r["transferredOut"], r["sold"], r["onHand"],
                r.get("recall", {}).get("checkpoint")) for r in j2["outlets"]],
              j2["inTransit"], [s["transactionId"] for s in j2["sold"]], j2["totals"]) == (
              [(1, None, 4, 1, 1, 2, 8), (4, "2027-12-31", 3, 0, 0, 3, None), (5, "2027-12-31", 4, 0, 0, 4, None)],
              [{"transferId": "cc" * 16, "from": 1, "to": 2, "quantity": 1}], ["41" * 32],
              {"received": 11, "sold": 1, "onHand": 9, "inTransit": 1, "sales": 1, "members": 1}))
    j3 = reports.lot_json(lc, {}, G2, "L1")
    check("lot: another GTIN's lot of the same name is another lot", (
        [(r["outletId"], r["sku"], r["received"], r["sold"], r["onHand"]) for r in j3["outlets"]],
        [(s["outletId"], s["memberId"], s["quantity"]) for s in j3["sold"]], j3["inTransit"]) == (
        [(5, "KAYA", 3, 1, 2)], [(5, "M9", 1)], []))
    check("lot: a lot nowhere", reports.lot_json(lc, {}, G, "L9") == {
        "report": "lot", "gtin": G, "lot": "L9", "covers": {"heads": []}, "outlets": [], "inTransit": [], "sold": [],
        "totals": {"received": 0, "sold": 0, "onHand": 0, "inTransit": 0, "sales": 0, "members": 0}})
    # The transfer TB received after all: no longer in transit; outlet 3 then has a lot record.
    received = {**lc, 3: lc[3] + lot_chain(
        3, (pos.TRANSFER_IN, lot_transfer(TB, 1, [("MILK-1L", 2), ("MILK-1L", 1)], [(0, G, "L1", E, 2),
                                                                                    (1, G, "L1", E, 1)]),
            "2026-12-07 09:00:00.000", "manager-3", tx_id("62", 0x62)))}
    j4 = reports.lot_json(received, {}, G, "L1")
    check("lot: a transfer received leaves inTransit and counts in at the destination",
          j4["inTransit"] == [{"transferId": "0d" * 16, "from": 2, "to": 99, "quantity": 1}]
          and j4["outlets"][2] == dict(rows[3], sku="MILK-1L", expiry="2027-12-31", transferredIn=3, onHand=3)
          and j4["totals"] == dict(j["totals"], onHand=17, inTransit=1))
    # A void of S1 (after its refund) takes back every lot of the sale: L1's 4 and L2's 1.
    voided = {**lc, 1: lc[1] + lot_chain(1, (pos.VOID, lot_void(L1S1, "customer left"), "2026-12-07 10:00:00.000",
                                                  "till-01", tx_id("4f", 0x4f)))}
    j5 = reports.lot_json(voided, {}, G, "L1")
    check("lot: a void of S1 gives back its 4 units and removes it from sold; M1 still bought S4 and P2",
          (j5["outlets"][0]["sold"], j5["outlets"][0]["onHand"], [s["transactionId"][:2] for s in j5["sold"]],
           j5["totals"]["sales"], j5["totals"]["members"]) == (2, 10, ["42", "44", "51", "ff", "01"], 5, 2))
    j6 = reports.lot_json(voided, {}, G, "L2")
    check("lot L2 after S1's void: nothing sold, no sale listed",
          (j6["outlets"][0]["sold"], j6["sold"], j6["totals"]["sales"], j6["totals"]["members"]) == (0, [], 0, 0))

    theirs = copy.deepcopy(j)
    ok, text = reports.compare(j, theirs)
    check("compare lot: OK line", ok and text == (
        f"REPORT OK: lot {G} L1: 4 outlet(s), 28 received, 10 sold in 6 sale(s) to 2 member(s), 14 on hand, "
        "4 in transit (2 transfer(s)), 2 outlet(s) recorded the recall"))
    theirs["covers"]["heads"][1]["height"] = 7
    ok, text = reports.compare(j, theirs)
    check("compare lot: covers are compared too", not ok and text ==
          "FAIL report: covers.heads[2].height python=6 swift=7")
    theirs = copy.deepcopy(j)
    theirs["outlets"][3]["expiry"] = None
    ok, text = reports.compare(j, theirs)
    check("compare lot: an expiry of null is not an absent one", not ok and text ==
          'FAIL report: outlets[4/MILK-1L].expiry python="(missing)" swift=null')
    theirs = copy.deepcopy(j)
    theirs["sold"][4], theirs["sold"][5] = theirs["sold"][5], theirs["sold"][4]
    ok, text = reports.compare(j, theirs)
    check("compare lot: the order of the sales matters", not ok and text ==
          f'FAIL report: sold[4].transactionId python="{"ff" * 32}" swift="{"01" * 32}"')
    theirs = copy.deepcopy(j)
    theirs["inTransit"].reverse()
    ok, text = reports.compare(j, theirs)
    check("compare lot: in transit by transfer id", not ok and text.startswith("FAIL report: inTransit keys "))
    theirs = copy.deepcopy(j)
    theirs["totals"]["members"] = 3
    ok, text = reports.compare(j, theirs)
    check("compare lot: a total", not ok and text == "FAIL report: totals.members python=2 swift=3")

    # Points: what moved in a range, per outlet, each figure as the bodies record it.
    zero = dict.fromkeys(reports.POINTS_FIGURES, 0)
    pts = points_chains()
    per = reports.points(pts, "2026-12-05", "2026-12-05", [1, 2, 10])
    check("points of the 5th at outlet 1: member sales earn and redeem, a training sale does not; a void gives back "
          "its member sale's earned and redeemed; adjustments up and down; a refund's reversed points", per[1] == dict(
              zero, earned=70, redeemed=100, reversedByRefunds=5, reversedByVoids=20, returnedByVoids=100,
              adjustedUp=500, adjustedDown=150))
    check("points of the 5th: an adjustment after midnight takes the Z's date; outlet 2 moved nothing",
          per[2] == zero and per[10] == dict(zero, claimsCount=1, claimedPoints=40))
    per = reports.points(pts, "2026-12-06", "2026-12-06", [1, 2, 10])
    check("points of the 6th (the open day): a settlement counts the points debited, not those claimed; "
          "a refund reversing 0 adds 0", per[1] == dict(zero, settlementsCount=1, settledPoints=80))
    check("points of the 6th at outlet 2: a claim and its points, the sale redeeming them, a settlement debiting 0",
          per[2] == dict(zero, earned=3, redeemed=100, claimsCount=1, claimedPoints=100, settlementsCount=1))
    j = reports.points_json(pts, "2000-01-01", "2100-12-31", [1, 2, 10], {})
    check("points over both: totals sum the outlets, key all", j["totals"] == {
        "key": "all", "earned": 73, "redeemed": 200, "reversedByRefunds": 5, "reversedByVoids": 20,
        "returnedByVoids": 100, "adjustedUp": 500, "adjustedDown": 150, "claimsCount": 2, "claimedPoints": 140,
        "settlementsCount": 2, "settledPoints": 80})
    check("points: byOutlet keyed by outlet id as text, in outlet order (10 after 2)",
          [e["key"] for e in j["byOutlet"]] == ["1", "2", "10"] and list(j["byOutlet"][0]) == ["key"] + list(
              reports.POINTS_FIGURES))
    check("points: outlet 1 over both days", j["byOutlet"][0] == dict(
        zero, key="1", earned=70, redeemed=100, reversedByRefunds=5, reversedByVoids=20, returnedByVoids=100,
        adjustedUp=500, adjustedDown=150, settlementsCount=1, settledPoints=80))
    o1 = j["byOutlet"][0]
    check("points: lifetime earned = earned + adjusted up, redeemed = redeemed - returned + adjusted down "
          "(outlet 1's M1: 570 and 150 as the ledger would keep them)",
          o1["earned"] + o1["adjustedUp"] == 570 and o1["redeemed"] - o1["returnedByVoids"] + o1["adjustedDown"] == 150)
    check("points: nothing in range, every outlet listed at zero", reports.points_json(
        pts, "2027-01-01", "2027-01-01", [1, 3], {}) == {
        "report": "points", "from": "2027-01-01", "to": "2027-01-01", "outlets": [1, 3], "covers": {"heads": []},
        "totals": dict(zero, key="all"), "byOutlet": [dict(zero, key="1"), dict(zero, key="3")]})
    check("points --outlet 2: only its chain", reports.points_json({2: pts[2]}, "2000-01-01", "2100-12-31", [2], {})
          ["totals"] == dict(zero, key="all", earned=3, redeemed=100, claimsCount=1, claimedPoints=100,
                             settlementsCount=1))
    lost = {1: [r for r in pts[1] if r["txid"] != Q2]}
    try:
        reports.points(lost, "2000-01-01", "2100-12-31")
        check("points: a void of a sale not in the chain is refused", False)
    except reports.ReportError as error:
        check("points: a void of a sale not in the chain is refused", "is not in the chain" in str(error))
    mine = reports.points_json(pts, "2000-01-01", "2100-12-31", [1, 2, 10], {1: (12, b"\xab" * 32)})
    theirs = copy.deepcopy(mine)
    theirs["covers"] = {"heads": []}
    ok, text = reports.compare(mine, theirs)
    check("compare points: OK line, covers aside", ok and text == (
        "REPORT OK: points 2000-01-01..2100-12-31: 73 earned, 200 redeemed, 5 + 20 taken back by refunds + voids, "
        "100 returned by voids, +500 -150 adjusted, 2 claim(s) of 140, 2 settlement(s) of 80"))
    theirs["byOutlet"][0]["settledPoints"] = 100
    ok, text = reports.compare(mine, theirs)
    check("compare points: an outlet's path names it", not ok and text ==
          "FAIL report: byOutlet[1].settledPoints python=80 swift=100")
    theirs = copy.deepcopy(mine)
    theirs["byOutlet"].pop(1)
    ok, text = reports.compare(mine, theirs)
    check("compare points: a missing outlet row", not ok and text ==
          'FAIL report: byOutlet keys python=["1", "2", "10"] swift=["1", "10"]')
    theirs = copy.deepcopy(mine)
    theirs["totals"]["claimedPoints"] = "140"
    ok, text = reports.compare(mine, theirs)
    check("compare points: points as a string", not ok and text ==
          'FAIL report: totals.claimedPoints python=140 swift="140"')
    ok, text = reports.compare(reports.points_json({2: pts[2]}, "2026-12-06", "2026-12-06", [2], {}),
                               reports.points_json({2: pts[2]}, "2026-12-06", "2026-12-06", [2], {}))
    check("compare points: one outlet's OK line", ok and text.startswith("REPORT OK: points 2026-12-06..2026-12-06 "
                                                                         "outlet 2: 3 earned"))

    # The command line: stock and loyalty take no dates, sales and gst keep needing them.
    def parse_error(*argv):
        try:
            reports.parse(["reports.py", "DATA"] + list(argv))
        except reports.ReportError as error:
            return str(error)
        return None
    check("parse: loyalty defaults to within 30", reports.parse(["r", "D", "--report", "loyalty", "--on", "2026-12-05"])
          ["within"] == 30)
    check("parse: stock takes no --from", parse_error("--report", "stock", "--from", "2026-12-05") is not None)
    check("parse: --within only for loyalty", parse_error("--report", "stock", "--within", "3") is not None)
    check("parse: --within 0 is refused", parse_error("--report", "loyalty", "--within", "0") is not None)
    check("parse: --on must be a date", parse_error("--report", "loyalty", "--on", "2026-02-30") is not None)
    check("parse: sales still needs --from and --to", parse_error("--report", "sales") == "--from and --to are required")
    dated = ["--from", "2026-12-05", "--to", "2026-12-05"]
    parsed = reports.parse(["r", "D", "--report", "exceptions"] + dated)
    check("parse: exceptions defaults to 20 % and 10 sales a day",
          (parsed["discount_percent"], parsed["member_sales"]) == (20, 10))
    parsed = reports.parse(["r", "D", "--report", "exceptions", "--discount-percent", "1", "--member-sales-per-day", "1"]
                           + dated)
    check("parse: exceptions thresholds", (parsed["discount_percent"], parsed["member_sales"]) == (1, 1))
    check("parse: exceptions needs --from and --to", parse_error("--report", "exceptions") == "--from and --to are required")
    check("parse: promotions needs --from and --to", parse_error("--report", "promotions") == "--from and --to are required")
    check("parse: --discount-percent 0 and 101 are refused", parse_error("--report", "exceptions", "--discount-percent",
                                                                        "0", *dated) is not None
          and parse_error("--report", "exceptions", "--discount-percent", "101", *dated) is not None)
    check("parse: --member-sales-per-day 0 is refused",
          parse_error("--report", "exceptions", "--member-sales-per-day", "0", *dated) is not None)
    check("parse: thresholds only for exceptions",
          parse_error("--report", "promotions", "--discount-percent", "5", *dated) is not None
          and parse_error("--report", "sales", "--member-sales-per-day", "5", *dated) is not None)

    moved = ["--report", "movements", "--sku", "MILK-1L", "--outlet", "1"]
    parsed = reports.parse(["r", "D"] + moved + dated)
    check("parse: movements", (parsed["report"], parsed["sku"], parsed["outlet"], parsed["from"], parsed["to"])
          == ("movements", "MILK-1L", 1, "2026-12-05", "2026-12-05"))
    check("parse: movements needs --sku", parse_error("--report", "movements", "--outlet", "1", *dated)
          == "--sku is required for the movements report")
    check("parse: movements needs --outlet", parse_error("--report", "movements", "--sku", "MILK-1L", *dated)
          == "--outlet is required for the movements report")
    check("parse: movements needs --from and --to", parse_error(*moved) == "--from and --to are required")
    check("parse: --sku only for movements", parse_error("--report", "sales", "--sku", "MILK-1L", *dated)
          == "--sku is for the movements report"
          and parse_error("--report", "stock", "--sku", "MILK-1L") == "--sku is for the movements report")
    traced = ["--report", "lot", "--gtin", G, "--lot", "L2611A"]
    parsed = reports.parse(["r", "D"] + traced)
    check("parse: lot", (parsed["report"], parsed["gtin"], parsed["lot"], parsed["outlet"], parsed["from"])
          == ("lot", G, "L2611A", None, None))
    check("parse: lot needs --gtin and --lot", parse_error("--report", "lot", "--gtin", G)
          == "--gtin and --lot are required for the lot report"
          and parse_error("--report", "lot", "--lot", "L1") == "--gtin and --lot are required for the lot report")
    check("parse: lot refuses a GTIN with a wrong check digit, of 13 digits or not digits",
          all(parse_error("--report", "lot", "--gtin", gtin, "--lot", "L1") is not None
              for gtin in ("09556001234567", "0955600123456", "0955600123456X", "\u0660" * 14)))
    check("parse: lot refuses a lot with a space, of 21 characters, empty or not ASCII",
          all(parse_error("--report", "lot", "--gtin", G, "--lot", lot) is not None
              for lot in ("L26 11", "L" * 21, "", "L\u00e9")) and reports.parse(
              ["r", "D", "--report", "lot", "--gtin", G, "--lot", "!" * 20])["lot"] == "!" * 20)
    check("parse: lot reads every outlet over no range", parse_error(*traced, "--outlet", "1")
          == "the lot report reads every outlet: no --outlet" and parse_error(*traced, *dated) is not None)
    check("parse: --gtin and --lot only for lot", parse_error("--report", "stock", "--gtin", G)
          == "--gtin and --lot are for the lot report"
          and parse_error("--report", "sales", "--lot", "L1", *dated) == "--gtin and --lot are for the lot report")
    parsed = reports.parse(["r", "D", "--report", "points", "--outlet", "2"] + dated)
    check("parse: points", (parsed["report"], parsed["outlet"], parsed["from"], parsed["to"])
          == ("points", 2, "2026-12-05", "2026-12-05"))
    check("parse: points needs --from and --to", parse_error("--report", "points") == "--from and --to are required")
    check("parse: points takes no --on, --sku or thresholds",
          parse_error("--report", "points", "--on", "2026-12-05", *dated) is not None
          and parse_error("--report", "points", "--sku", "MILK-1L", *dated) is not None
          and parse_error("--report", "points", "--discount-percent", "5", *dated) is not None)

    return check.report()


if __name__ == "__main__":
    sys.exit(main())
