#!/usr/bin/env python3
"""Independent recomputation of the sales and GST reports from an outlet node's chain bytes.

Usage:
  reports.py DATA_DIR --from YYYY-MM-DD --to YYYY-MM-DD [--outlet N] --report sales|gst
      prints the report as JSON (the shape of `sgpos report NAME --format json`)
  reports.py DATA_DIR --from D --to D [--outlet N] [--report sales|gst] --compare FILE
      compares the JSON in FILE (the Swift output) with the recomputation, "covers" aside:
      prints `REPORT OK: ...` (exit 0) or `FAIL report: <path> python=... swift=...` (exit 1)
  reports.py DATA_DIR --check-z [--outlet N]
      checks every day-close (Z-report) against the sales and GST reports of its outlet
      and business date: `Z OK: outlet O z N date D` per Z, `FAIL ...` otherwise (exit 1)
  reports.py DATA_DIR --dates [--outlet N]
      prints the business dates that hold at least one sale, refund, void or day-close
  reports.py DATA_DIR --report stock [--outlet N] [--compare FILE]
  reports.py DATA_DIR --report loyalty [--on D] [--within N] [--outlet N] [--compare FILE]
      the stock and loyalty reports (the shape of `sgpos report stock|loyalty --format json`),
      from the state verify.py's replay rebuilds (never the state values the store holds)
  reports.py DATA_DIR --expiry-dates [--outlet N]
      prints the distinct expiry dates of the member lots in the replayed state
  reports.py DATA_DIR --from D --to D [--outlet N] --report exceptions [--discount-percent P]
             [--member-sales-per-day M] [--compare FILE]
  reports.py DATA_DIR --from D --to D [--outlet N] --report promotions [--compare FILE]
      the exceptions and promotions reports (the shape of `sgpos report exceptions|promotions
      --format json`), from the chain bytes like sales and gst
  reports.py DATA_DIR --from D --to D --outlet N --report movements --sku S [--compare FILE]
      one SKU's stock card at one outlet (the shape of `sgpos report movements --format
      json`), from outlet N's chain bytes like sales and gst (never the stored state)
  reports.py DATA_DIR --from D --to D [--outlet N] --report points [--compare FILE]
      the loyalty points that moved in the range (the shape of `sgpos report points --format
      json`), from the chain bytes like sales and gst
  reports.py DATA_DIR --report lot --gtin G --lot L [--compare FILE]
      where one lot of one product is, for a recall (the shape of `sgpos report lot --format
      json`), replayed from every outlet chain's bodies (never the stored state); compared
      whole, its covers too

Reads DATA_DIR/ledger (LMDB) with the readers of verify.py and the POS body decoders of
pos.py (written from docs/FORMAT.md alone); it does not verify the chains (verify.py does).

Definitions (the same as the Swift reports module): transactions are taken outlet chain by
outlet chain, height 1 upward, in block order. A day-close assigns every sale, refund and
void since the previous day-close of its outlet to its business date; those after the last
day-close (the open day) get the Singapore date (UTC+8) of their block's timestamp. A report
over [from, to] counts the transactions whose business date lies in it. Money is integer
cents throughout.

Tax categories (FORMAT.md §13.2; a version-1 sale line is standard-rated, SR): the rates
(byRate, box 1, box 6) total only the SR lines, and only when a sale, refund or void has
at least one; the other supplies total what customers paid for ZR, ES and OS lines
(sales − refunds − voids), one entry per category the range's transactions touched, as the
period totals of the books do (§13.5 "supplies added"); a refund line takes the category of
the sale line it refunds, and a re-priced return's adjustments (refund version 2) add to
the kept lines they name, in the items (no units) and the supplies. GST boxes: 1 = Σ rates (amount − GST), 2 = ZR, 3 = ES,
4 = 1 + 2 + 3 (OS is in no box), 6 = Σ rates GST; 5 = Σ over the version-2 stock-receives
dated in the range (business dates as for sales) of Σ quantity × unit cost and 7 = Σ their
input GST, both null without one; `purchases` counts them (zeros without one). The sales
report's byTaxCategory groups the lines like byCategory by SR, ZR, ES, OS.

Stock and loyalty (point-in-time, from the replayed state of each outlet chain: every chain
is replayed and checked by verify.py's verify_chain, so a store whose stored state differs
from its chains is refused rather than reported):
  stock: per outlet o in O (every genesis outlet, or --outlet), every stock record
    0x11 ‖ u32(o) ‖ SKU of o's chain state: on hand, category and unit price from o's price
    record (empty and 0 without one), value = max(on hand, 0) × unit price; unit cost = the
    SKU's unit cost on the last (chain order) version-2 stock-receive of o's chain that lists
    it (null without one), cost value = max(on hand, 0) × unit cost (null likewise), the
    totals' cost value the sum of the items' non-null ones (the unit costs are read from
    the bodies of o's chain up to the height replayed: the state does not hold them);
    sorted by (outlet, SKU). Negative: on hand < 0. In transit: on every genesis chain,
    each outgoing transfer half 0x16 ‖ id ‖ 0x01 whose outlet or counterpart is in O and
    whose counterpart's chain state has no incoming half id ‖ 0x02; sorted by transfer id.
  loyalty on D within W: per outlet, over its chain state's member accounts (0x12): a lot
    is usable when expires-on ≥ day(D); outstanding = Σ usable lots; expiring = Σ usable
    lots with expires-on < day(D) + W; lifetime earned/redeemed/expired totals as stored in
    the account; liability = points × the outlet's point value (settings, default 1 cent).

Exceptions and promotions (docs/REPORTS.md; the counted transactions as for sales, each
outlet chain in turn, outlets ascending, in chain order):
  exceptions with P % (default 20) and M (default 10): per counted transaction, till = the
    signer's principal, time = the Singapore time of its block: a non-training sale with
    subtotal > 0, discount > 0 and discount × 10000 ≥ P × 100 × subtotal is a large-discount
    (the discount); a member's (M + 1)-th non-training sale of one business date (counted
    over the outlets reported) a member-velocity (no amount); every refund a refund (what
    it credited; refundsByTill counts and totals them per outlet/till); every void a void
    (its sale's total); every drawer-open a no-sale; a shift-close with variance ≠ 0 a
    cash-variance (the variance); every loyalty-adjust a points-adjustment.
  promotions: per line-discount rule, over the counted non-training sales (+1) and the
    sales of the counted voids (−1): the sales holding the rule, the line discounts and
    their amounts; totalDiscount sums the rules. notApplied: per (rule, reason) of the same
    sales' skip reasons (FORMAT.md §13.2 sale version 4), the sales holding it (+1 / −1),
    sorted by rule then reason, bytewise; entries at 0 stay listed.

Movements of SKU S at outlet N over [D1, D2] (docs/REPORTS.md): outlet N's chain walked in
order, business dates as for sales, every transaction dated ≤ D2; its change to S's stock:
a non-training sale − Σ its lines' quantities of S ("receipt R"); a refund that restocks
+ Σ the quantities of its lines whose original sale line (by index) is S ("credit note C,
restocked: REASON"); a void + Σ the voided sale's lines of S ("receipt R voided: REASON");
a stock-receive + Σ its lines of S ("delivery REFERENCE"); a stock-adjust of S its delta
("REASON: NOTE", the reason's name: damaged, theft, expired, correction, sample, found); a
stock-count's line of S its variance ("counted C, book E"); transfer-out − / transfer-in
+ Σ its lines of S ("to outlet X" / "from outlet X"). Changes of 0 are not listed; those
dated before D1 make the opening balance; the others are listed in chain order with the
balance after each; closing is the last balance (the opening without any).

Points over [D1, D2] (docs/REPORTS.md "points"; the counted transactions as for sales, each
outlet chain its own row, every outlet reported listed, outlets ascending, even without
any): a non-training sale with a member adds its points earned and redeemed (earned,
redeemed: its points redeemed plus its rule record's reward points); every refund its points reversed (reversedByRefunds); a void of a sale with a
member the voided sale's points earned (reversedByVoids: the body's figure, not what the
ledger could debit) and redeemed (returnedByVoids); a loyalty-adjust its delta to
adjustedUp when positive, its magnitude to adjustedDown when negative; a points-claim 1 and
its points (claimsCount, claimedPoints); a points-settle 1 and its debited points
(settlementsCount, settledPoints). The totals ("all") sum the outlets.

Lot G, L (docs/REPORTS.md "lot", FORMAT.md §13.6; every outlet chain of the store, each
replayed from height 1 in chain order, the lot entries of G and L only): a non-training
sale (version 6) moves the lot by sold += each entry's quantity and stands as one sale
(till principal, receipt number, member id, Σ its entries' quantities, its envelope time t)
until a void of it takes them back; a stock-receive (versions 3, 4) moves it by received,
a transfer-out / -in (version 2) by transferred out / in; a lot record is made by its first
move with that entry's line's SKU and expiry (a later move sets an expiry of 0 to its
entry's); an apply-recall of G, L is the outlet's recall (recall id hex, the checkpoint it
names, the reason). outlets: every outlet with a lot record or a recall, ascending (a
recall alone: SKU "" and zeros), expiry as YYYY-MM-DD and left out when 0, on hand =
received + in − out − sold. inTransit: each outgoing half carrying the lot whose
destination chain has no incoming half of its id (no chain: none), Σ its entries of the
lot, by (transfer id, from, to). sold: the standing sales by (outlet, t, transaction id),
the first 100 000 listed, time the Singapore time of t; totals: Σ received, sold and on
hand over the outlets, Σ in transit, every standing sale and their distinct non-empty
member ids.
"""
import datetime
import json
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lots  # noqa: E402
import pos  # noqa: E402
from common import Reader, u32b, u64b  # noqa: E402

TENDER_NAMES = {1: "cash", 2: "nets", 3: "card", 4: "paynow", 5: "voucher", 6: "points"}
TAX_NAMES = pos.TAX_CATEGORIES  # 1 SR, 2 ZR, 3 ES, 4 OS
HOUR_MS = 3_600_000
REPORTED = (pos.SALE, pos.REFUND, pos.VOID, pos.DAY_CLOSE)


class ReportError(Exception):
    pass


# --- helpers (pure; reports_test.py checks them) ----------------------------------------

def money(cents):
    """Integer cents as a decimal string: 1230 -> "12.30", -5 -> "-0.05"."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def average_basket(total, count):
    """total / count rounded half away from zero to the cent; 0 without sales."""
    return 0 if count == 0 else pos.halfup(total, count)


def sg_hour(ms):
    """The Singapore (UTC+8) hour 00..23 of a timestamp in ms."""
    return f"{(ms + pos.SINGAPORE_MS) // HOUR_MS % 24:02d}"


def assign_business_dates(txs):
    """txs: one outlet chain's POS records in chain order, each a dict with "kind",
    "block_time" and, for a day-close, "body" = (z, business date, period). Sets
    "date" on every sale, refund and void (and any other record but a day-close): the
    business date of the next day-close of the chain, or, after the last one, the
    Singapore date of the block's timestamp."""
    pending = []
    for tx in txs:
        if tx["kind"] == pos.DAY_CLOSE:
            for waiting in pending:
                waiting["date"] = tx["body"][1]
            pending = []
            tx["date"] = tx["body"][1]
        else:
            pending.append(tx)
    for waiting in pending:
        waiting["date"] = pos.sg_date(waiting["block_time"]).isoformat()
    return txs


# --- reading the chains ---------------------------------------------------------------------

def load(data_dir, outlet=None, kinds=REPORTED, limits=None):
    """(genesis, outlet ids, {outlet: [POS records in chain order]}, {outlet: (height, head id)});
    the records are the application transactions whose body type is in `kinds`; with
    `limits` ({outlet: height}) each chain is read up to that height only."""
    import lmdb  # only here: the unit tests run without the package
    import verify
    env = lmdb.open(os.path.join(data_dir, "ledger"), readonly=True, lock=False, max_dbs=16, subdir=True)
    try:
        blocks_db = env.open_db(b"blocks", create=False)
        meta_db = env.open_db(b"meta", create=False)
        with env.begin() as txn:
            genesis = txn.get(b"genesis", db=meta_db)
            if genesis is None:
                raise ReportError("no genesis in the store's meta database")
            g = verify.decode_genesis(genesis)
            genesis_outlets = sorted(o[0] for o in g["outlets"])
            if outlet is not None and outlet not in genesis_outlets:
                raise ReportError(f"outlet {outlet} is not a genesis outlet ({genesis_outlets})")
            outlets = [outlet] if outlet is not None else genesis_outlets
            chains, heads = {}, {}
            for oid in outlets:
                chains[oid], heads[oid] = read_chain(g, oid, lambda key: verify.inflate_stored(txn.get(key, db=blocks_db)), verify, kinds,
                                                     None if limits is None else limits.get(oid, 0))
    finally:
        env.close()
    return g, outlets, chains, heads


def read_chain(g, oid, get_block, verify, kinds=REPORTED, limit=None):
    """One outlet chain's sales, refunds, voids and day-closes (and any other body type in
    `kinds`) with their signer's principal and envelope timestamp ("time", the transaction
    time t of FORMAT.md §13); with `limit`, its blocks up to that height."""
    principals = {key: name for name, key in g["admins"]}
    principals.update({node: "node" for o, _, node in g["outlets"] if o == oid})
    records, height, head = [], 0, None
    while limit is None or height < limit:
        raw = get_block(u32b(oid) + u64b(height + 1))
        if raw is None:
            break
        height += 1
        header, txs = verify.decode_block(raw)
        head = header["id"]
        for index, tx in enumerate(txs):
            body = tx["parsed"]
            if body[0] == "register-key":
                principals[body[1]] = body[3]
            elif body[0] == "rotate-key":
                principals[body[2]] = principals.get(body[1], "?")
            elif body[0] == "application" and body[1] in kinds:
                records.append({"outlet": oid, "height": height, "index": index, "txid": tx["id"],
                                "block_time": header["time"], "time": tx["time"], "kind": body[1],
                                "body": pos.decode(body[1], body[2]),
                                "principal": principals.get(tx["signer"], tx["signer"].hex())})
    assign_business_dates(records)
    return records, (height, head)


def late_spans(data_dir, g, outlets, limits):
    """{outlet: [[first height, last height, largest lag ms]]}: the runs of consecutive blocks
    covered late (REPORTS.md "Covered late", CONSENSUS.md §11) — stamped more than the
    genesis's lagThresholdMs before the agreed time of the first checkpoint covering them —
    counting each outlet's blocks up to limits[outlet]. Every covered block is read."""
    import lmdb
    import verify
    threshold = g["time_bounds"][2]
    spans = {oid: [] for oid in outlets}
    env = lmdb.open(os.path.join(data_dir, "ledger"), readonly=True, lock=False, max_dbs=16, subdir=True)
    try:
        blocks_db = env.open_db(b"blocks", create=False)
        try:
            checkpoints_db = env.open_db(b"checkpoints", create=False)
        except lmdb.NotFoundError:
            return spans
        with env.begin() as txn:
            covered = {oid: 0 for oid in outlets}
            for _, raw in txn.cursor(db=checkpoints_db):
                r = Reader(raw)
                r.u64(), r.u32()
                value = Reader(r.bytes_(1 << 20))
                agreed = value.u64() if value.u8() in (4, 5) else None  # versions 4 and 5 carry the agreed time (FORMAT.md §9.3)
                for _ in range(value.count(1024)):
                    oid, h, _ = value.u32(), value.u64(), value.take(32)
                    if oid not in covered or h <= covered[oid]:
                        continue
                    first, covered[oid] = covered[oid] + 1, h
                    if agreed is None:
                        continue
                    for height in range(first, min(h, limits.get(oid, h)) + 1):
                        block = verify.inflate_stored(txn.get(u32b(oid) + u64b(height), db=blocks_db))
                        if block is None:
                            break
                        lag = agreed - verify.decode_block(block)[0]["time"]
                        if lag <= threshold:
                            continue
                        runs = spans[oid]
                        if runs and runs[-1][1] + 1 == height:
                            runs[-1][1], runs[-1][2] = height, max(runs[-1][2], lag)
                        else:
                            runs.append([height, height, lag])
    finally:
        env.close()
    return spans


def covered_late(chains, date_from, date_to, spans):
    """The GST return's coveredLate: the sales (not training), refunds and voids of the range
    whose block lies in a late span, what they add to the takings and the output tax, and
    the spans holding them."""
    count = amount = gst = 0
    used = []
    for oid, records in chains.items():
        originals = {r["txid"]: r["body"] for r in records if r["kind"] == pos.SALE}
        for tx in records:
            if tx["kind"] not in (pos.SALE, pos.REFUND, pos.VOID) or not date_from <= tx["date"] <= date_to:
                continue
            span = next((x for x in spans.get(oid, []) if x[0] <= tx["height"] <= x[1]), None)
            if span is None:
                continue
            b = tx["body"]
            if tx["kind"] == pos.SALE:
                if b["training"]:
                    continue
                paid, tax = sum(line_paid(x) for x in b["lines"]), sum(x["gst"] for x in b["lines"])
            elif tx["kind"] == pos.REFUND:
                paid, tax = -sum(x[2] for x in b["lines"]), -sum(x[3] for x in b["lines"])
            else:
                original = originals[b["original"]]
                paid, tax = -sum(line_paid(x) for x in original["lines"]), -sum(x["gst"] for x in original["lines"])
            count, amount, gst = count + 1, amount + paid, gst + tax
            if not used or used[-1] != (oid, span):
                used.append((oid, span))
    return {"transactions": count, "amount": money(amount), "gst": money(gst),
            "blocks": [{"outletId": oid, "fromHeight": first, "toHeight": last, "largestLagMs": lag}
                       for oid, (first, last, lag) in used]}


# --- the reports ----------------------------------------------------------------------------

class Sales:
    """The sales report's figures in cents, keyed as the JSON keys them."""

    def __init__(self):
        self.totals = {k: 0 for k in ("salesCount", "salesTotal", "discountTotal", "roundingTotal", "refundsCount",
                                      "refundsTotal", "voidsCount", "voidsTotal", "trainingCount")}
        self.groups = {name: {} for name in ("byDay", "byHour", "byOutlet", "byTill")}
        self.items = {"bySku": {}, "byCategory": {}, "byTaxCategory": {}}
        self.tenders = {}   # kind number -> cents
        self.rules = {}     # discount rule -> cents
        self.rates = {}     # basis points -> [amount, gst] of the standard-rated lines
        self.other = {}     # tax category 2-4 -> cents (the other supplies)

    def group(self, tx, field, amount, count=0):
        keys = {"byDay": tx["date"], "byHour": sg_hour(tx["block_time"]), "byOutlet": str(tx["outlet"]),
                "byTill": tx["principal"]}
        for name, key in keys.items():
            entry = self.groups[name].setdefault(key, {"salesCount": 0, "salesTotal": 0, "refundsTotal": 0,
                                                       "voidsTotal": 0})
            entry[field] += amount
            entry["salesCount"] += count

    def item(self, sku, category, tax, quantity, amount, gst):
        for name, key in (("bySku", sku), ("byCategory", category), ("byTaxCategory", TAX_NAMES[tax])):
            entry = self.items[name].setdefault(key, {"quantity": 0, "amount": 0, "gst": 0})
            entry["quantity"] += quantity
            entry["amount"] += amount
            entry["gst"] += gst

    def tender(self, kind, amount):
        self.tenders[kind] = self.tenders.get(kind, 0) + amount

    def rule(self, name, amount):
        self.rules[name] = self.rules.get(name, 0) + amount

    def rate(self, bp, amount, gst):
        entry = self.rates.setdefault(bp, [0, 0])
        entry[0] += amount
        entry[1] += gst

    def supplies(self, bp, lines, sign=1):
        """The books' "supplies added" (sign 1) or taken back (-1) for lines of (tax
        category, amount, GST), FORMAT.md §13.5: the standard-rated lines at the rate when
        there is one, each other category's amounts under it."""
        standard = [(amount, gst) for tax, amount, gst in lines if tax == pos.STANDARD_RATED]
        if standard:
            self.rate(bp, sign * sum(a for a, _ in standard), sign * sum(g for _, g in standard))
        for tax in (2, 3, 4):
            amounts = [amount for t, amount, _ in lines if t == tax]
            if amounts:
                self.other[tax] = self.other.get(tax, 0) + sign * sum(amounts)


def line_paid(line):
    """What a sale line costs the customer: net when the price includes GST, else net + GST."""
    return line["net"] if line["incl"] else line["net"] + line["gst"]


def compute(chains, date_from, date_to):
    """The sales figures (also the GST report's byRate) of the transactions of `chains`
    ({outlet: records}) whose business date lies in [date_from, date_to]."""
    s = Sales()
    for oid, records in chains.items():
        originals = {r["txid"]: r["body"] for r in records if r["kind"] == pos.SALE}
        for tx in records:
            if tx["kind"] not in (pos.SALE, pos.REFUND, pos.VOID) or not date_from <= tx["date"] <= date_to:
                continue
            b = tx["body"]
            if tx["kind"] == pos.SALE:
                if b["training"]:
                    s.totals["trainingCount"] += 1
                    continue
                s.totals["salesCount"] += 1
                s.totals["salesTotal"] += b["total"]
                s.totals["discountTotal"] += b["discount"]
                s.totals["roundingTotal"] += b["rounding"]
                for t in b["tenders"]:
                    s.tender(t["kind"], pos.tender_amount(t))
                for line in b["lines"]:
                    s.item(line["sku"], line["category"], line["tax"], line["qty"], line_paid(line), line["gst"])
                    for name, amount in line["discounts"]:
                        s.rule(name, amount)
                s.group(tx, "salesTotal", b["total"], count=1)
                s.supplies(b["rate"], [(line["tax"], line_paid(line), line["gst"]) for line in b["lines"]])
                continue
            original = originals.get(b["original"])
            if original is None:
                raise ReportError(f"outlet {oid} height {tx['height']}: the original sale {b['original'].hex()} "
                                  f"is not in the chain")
            if tx["kind"] == pos.REFUND:
                s.totals["refundsCount"] += 1
                s.totals["refundsTotal"] += b["amount"]
                for t in b["tenders"]:
                    s.tender(t["kind"], -pos.tender_amount(t))
                for index, quantity, amount, gst in b["lines"]:
                    sold = original["lines"][index]
                    s.item(sold["sku"], sold["category"], sold["tax"], -quantity, -amount, -gst)
                s.group(tx, "refundsTotal", b["amount"])
                s.supplies(original["rate"], [(original["lines"][index]["tax"], amount, gst)
                                              for index, _, amount, gst in b["lines"]], -1)
                # A re-priced return (refund version 2): each adjustment adds to its kept
                # line, in the items (no units) and in the supplies, as the books take it.
                adjustments = b.get("adjustments", [])
                for index, amount, gst in adjustments:
                    kept = original["lines"][index]
                    s.item(kept["sku"], kept["category"], kept["tax"], 0, amount, gst)
                if adjustments:
                    s.supplies(original["rate"], [(original["lines"][index]["tax"], amount, gst)
                                                  for index, amount, gst in adjustments], 1)
            else:  # void
                s.totals["voidsCount"] += 1
                s.totals["voidsTotal"] += original["total"]
                for t in original["tenders"]:
                    s.tender(t["kind"], -pos.tender_amount(t))
                for line in original["lines"]:
                    s.item(line["sku"], line["category"], line["tax"], -line["qty"], -line_paid(line), -line["gst"])
                    for name, amount in line["discounts"]:
                        s.rule(name, -amount)
                s.group(tx, "voidsTotal", original["total"])
                s.supplies(original["rate"], [(line["tax"], line_paid(line), line["gst"]) for line in original["lines"]],
                           -1)
    return s


def net(entry):
    return entry["salesTotal"] - entry["refundsTotal"] - entry["voidsTotal"]


def header(name, date_from, date_to, outlets, heads):
    return {"report": name, "from": date_from, "to": date_to, "outlets": outlets,
            "covers": {"heads": [{"outletId": oid, "height": h, "blockId": head.hex()}
                                 for oid, (h, head) in sorted(heads.items()) if h > 0]}}


def sales_json(s, date_from, date_to, outlets, heads):
    out = header("sales", date_from, date_to, outlets, heads)
    t = s.totals
    out["totals"] = {
        "salesCount": t["salesCount"], "salesTotal": money(t["salesTotal"]), "discountTotal": money(t["discountTotal"]),
        "roundingTotal": money(t["roundingTotal"]), "refundsCount": t["refundsCount"],
        "refundsTotal": money(t["refundsTotal"]), "voidsCount": t["voidsCount"], "voidsTotal": money(t["voidsTotal"]),
        "trainingCount": t["trainingCount"], "netSales": money(net(t)),
        "averageBasket": money(average_basket(t["salesTotal"], t["salesCount"]))}
    for name in ("byDay", "byHour", "byOutlet", "byTill"):
        out[name] = [{"key": key, "salesCount": e["salesCount"], "salesTotal": money(e["salesTotal"]),
                      "refundsTotal": money(e["refundsTotal"]), "voidsTotal": money(e["voidsTotal"]),
                      "netSales": money(net(e))} for key, e in sorted(s.groups[name].items())]
    for name in ("bySku", "byCategory", "byTaxCategory"):
        out[name] = [{"key": key, "quantity": e["quantity"], "amount": money(e["amount"]), "gst": money(e["gst"])}
                     for key, e in sorted(s.items[name].items())]
    out["byTender"] = [{"key": key, "amount": money(amount)}
                       for key, amount in sorted((TENDER_NAMES[k], a) for k, a in s.tenders.items())]
    out["discountsByRule"] = [{"key": key, "amount": money(amount)} for key, amount in sorted(s.rules.items())]
    return out


def gst_figures(s):
    """(box 1, box 6, [(bp, supplies, gst)]) in cents: the standard-rated supplies."""
    rates = [(bp, amount - gst, gst) for bp, (amount, gst) in sorted(s.rates.items())]
    return sum(r[1] for r in rates), sum(r[2] for r in rates), rates


def purchases(chains, date_from, date_to):
    """(receipts, value, input GST) in cents of the version-2 (costed) stock-receives of
    `chains` whose business date lies in [date_from, date_to]: value = Σ quantity × unit cost."""
    receipts = value = input_gst = 0
    for records in chains.values():
        for tx in records:
            if tx["kind"] != pos.RECEIVE or not date_from <= tx["date"] <= date_to:
                continue
            invoice = tx["body"][2]
            if invoice is None:  # version 1: no supplier's invoice
                continue
            receipts += 1
            value += sum(quantity * cost for _, quantity, cost in invoice["lines"])
            input_gst += invoice["input_gst"]
    return receipts, value, input_gst


def gst_json(s, date_from, date_to, outlets, heads, bought=(0, 0, 0), late=None):
    """The GST return; `bought` = purchases() of the range, `late` its covered_late()."""
    out = header("gst", date_from, date_to, outlets, heads)
    box1, box6, rates = gst_figures(s)
    zero_rated, exempt = s.other.get(2, 0), s.other.get(3, 0)
    receipts, value, input_gst = bought
    out["boxes"] = {"1": money(box1), "2": money(zero_rated), "3": money(exempt),
                    "4": money(box1 + zero_rated + exempt), "5": money(value) if receipts else None,
                    "6": money(box6), "7": money(input_gst) if receipts else None}
    out["byRate"] = [{"basisPoints": bp, "supplies": money(supplies), "gst": money(gst)} for bp, supplies, gst in rates]
    out["otherSupplies"] = [{"key": key, "amount": money(amount)}
                            for key, amount in sorted((TAX_NAMES[c], a) for c, a in s.other.items())]
    out["purchases"] = {"receipts": receipts, "value": money(value), "inputGST": money(input_gst)}
    out["coveredLate"] = late or {"transactions": 0, "amount": money(0), "gst": money(0), "blocks": []}
    return out


def report_json(name, chains, date_from, date_to, outlets, heads, spans=None):
    """The sales report or the GST return; `spans` = late_spans() for the GST return's coveredLate."""
    s = compute(chains, date_from, date_to)
    if name == "sales":
        return sales_json(s, date_from, date_to, outlets, heads)
    return gst_json(s, date_from, date_to, outlets, heads, purchases(chains, date_from, date_to),
                    covered_late(chains, date_from, date_to, spans or {}))


# --- exceptions and promotions (from the chain bytes, business dates as for sales) --------------

# The transactions the GST report reads besides sales, refunds, voids and day-closes: the
# costed stock-receives (boxes 5 and 7).
GST_KINDS = REPORTED + (pos.RECEIVE,)
# The transactions the exceptions report reads besides sales, refunds, voids and day-closes.
EXCEPTION_KINDS = REPORTED + (pos.DRAWER_OPEN, pos.SHIFT_CLOSE, pos.POINTS_ADJUST)
DEFAULT_DISCOUNT_PERCENT = 20
DEFAULT_MEMBER_SALES_PER_DAY = 10
CASH_VARIANCE_CENTS = 1
ELLIPSIS = "\u2026"


def sgd(cents):
    """Money as the exceptions' details write it: 1230 -> "S$12.30", -5 -> "-S$0.05"."""
    return f"-S${money(-cents)}" if cents < 0 else f"S${money(cents)}"


def sg_time(ms):
    """The Singapore (UTC+8) "YYYY-MM-DD HH:MM:SS" of a timestamp in ms (seconds floored)."""
    moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=ms + pos.SINGAPORE_MS)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def large_discount(subtotal, discount, basis_points):
    """A sale's discount is an exception when it is at least `basis_points` / 100 % of
    its subtotal: discount × 10000 ≥ basis points × subtotal (integers, no rounding)."""
    return subtotal > 0 and discount > 0 and discount * 10_000 >= basis_points * subtotal


def originals_of(records):
    """{sale id: decoded sale} of one outlet chain (the originals of its refunds and voids)."""
    return {r["txid"]: r["body"] for r in records if r["kind"] == pos.SALE}


def original_sale(oid, originals, tx):
    original = originals.get(tx["body"]["original"])
    if original is None:
        raise ReportError(f"outlet {oid} height {tx['height']}: the original sale {tx['body']['original'].hex()} "
                          f"is not in the chain")
    return original


def counted(records, date_from, date_to):
    """The records a report over [date_from, date_to] counts, in the walk's order: chain
    order (those a day-close closes are visited when it is reached, which is their chain
    order; then the open day's), day-closes themselves aside."""
    return [tx for tx in records if tx["kind"] != pos.DAY_CLOSE and date_from <= tx["date"] <= date_to]


def exceptions(chains, date_from, date_to, basis_points=DEFAULT_DISCOUNT_PERCENT * 100,
               member_sales=DEFAULT_MEMBER_SALES_PER_DAY):
    """(items, {"outlet/till": [count, total cents]}): the exception items of the counted
    transactions of `chains` ({outlet: records with the EXCEPTION_KINDS}), outlets
    ascending, each in the walk's order. An item is a dict of the JSON item's fields, the
    amount in cents or None. A member's sales are counted per (business date, member id)
    over every outlet walked; the (M + 1)-th gives one member-velocity item."""
    items, refunds, member_counts = [], {}, {}
    for oid in sorted(chains):
        records = chains[oid]
        originals = originals_of(records)
        for tx in counted(records, date_from, date_to):
            b = tx["body"]

            def item(kind, amount, detail):
                items.append({"kind": kind, "outletId": oid, "till": tx["principal"], "businessDate": tx["date"],
                              "time": sg_time(tx["block_time"]), "transactionId": tx["txid"].hex(),
                              "amount": amount, "detail": detail})
            if tx["kind"] == pos.SALE:
                if b["training"]:
                    continue
                if large_discount(b["subtotal"], b["discount"], basis_points):
                    item("large-discount", b["discount"],
                         f"receipt {b['receipt']}: discount {sgd(b['discount'])} of {sgd(b['subtotal'])}")
                if b["member"]:
                    key = (tx["date"], b["member"])
                    member_counts[key] = member_counts.get(key, 0) + 1
                    if member_counts[key] == member_sales + 1:
                        item("member-velocity", None,
                             f"member {b['member']}: more than {member_sales} sales on {tx['date']}")
            elif tx["kind"] == pos.REFUND:
                original_sale(oid, originals, tx)  # every credit note refers to a sale of its chain
                entry = refunds.setdefault(f"{oid}/{tx['principal']}", [0, 0])
                entry[0] += 1
                entry[1] += b["amount"]
                item("refund", b["amount"],
                     f"credit note {b['number']} for sale {b['original'].hex()[:16]}{ELLIPSIS}: {b['reason']}")
            elif tx["kind"] == pos.VOID:
                original = original_sale(oid, originals, tx)
                item("void", original["total"], f"receipt {original['receipt']}: {b['reason']}")
            elif tx["kind"] == pos.DRAWER_OPEN:
                item("no-sale", None, b)
            elif tx["kind"] == pos.SHIFT_CLOSE:
                counted_cash, expected, variance = b
                if variance != 0 and abs(variance) >= CASH_VARIANCE_CENTS:
                    item("cash-variance", variance, f"counted {sgd(counted_cash)}, expected {sgd(expected)}")
            elif tx["kind"] == pos.POINTS_ADJUST:
                member, delta, reason = b
                item("points-adjustment", None, f"member {member}: {delta} points, {reason}")
    return items, refunds


def exceptions_json(chains, date_from, date_to, outlets, heads, basis_points=DEFAULT_DISCOUNT_PERCENT * 100,
                    member_sales=DEFAULT_MEMBER_SALES_PER_DAY):
    out = header("exceptions", date_from, date_to, outlets, heads)
    items, refunds = exceptions(chains, date_from, date_to, basis_points, member_sales)
    out["thresholds"] = {"discountPercent": money(basis_points), "memberSalesPerDay": member_sales,
                         "cashVariance": money(CASH_VARIANCE_CENTS)}
    counts = {}
    for i in items:
        counts[i["kind"]] = counts.get(i["kind"], 0) + 1
    out["counts"] = dict(sorted(counts.items()))
    out["items"] = [dict(i, amount=None if i["amount"] is None else money(i["amount"])) for i in items]
    out["refundsByTill"] = [{"key": key, "count": n, "total": money(total)}
                            for key, (n, total) in sorted(refunds.items())]
    return out


def promotions(chains, date_from, date_to, not_applied=None):
    """{rule: [sales, lines, discount cents]} over the counted non-training sales (+1) and
    the counted voids (their original sale, −1); a sale counts once per rule it holds. With
    `not_applied` a dict, it gets {(rule, reason): sales} of the same sales' skip reasons
    (once per entry a sale holds, a void −1 creating the entry if needed)."""
    rules = {}
    for oid in sorted(chains):
        records = chains[oid]
        originals = originals_of(records)
        for tx in counted(records, date_from, date_to):
            if tx["kind"] == pos.SALE:
                if tx["body"]["training"]:
                    continue
                sold, sign = tx["body"], 1
            elif tx["kind"] == pos.VOID:
                sold, sign = original_sale(oid, originals, tx), -1
            else:
                continue
            seen = set()
            for line in sold["lines"]:
                for name, amount in line["discounts"]:
                    entry = rules.setdefault(name, [0, 0, 0])
                    entry[1] += sign
                    entry[2] += sign * amount
                    if name not in seen:
                        seen.add(name)
                        entry[0] += sign
            if not_applied is not None:
                for key in dict.fromkeys(sold.get("skipped", [])):   # each entry once, in order
                    not_applied[key] = not_applied.get(key, 0) + sign
    return rules


def promotions_json(chains, date_from, date_to, outlets, heads):
    out = header("promotions", date_from, date_to, outlets, heads)
    not_applied = {}
    rules = promotions(chains, date_from, date_to, not_applied)
    out["totalDiscount"] = money(sum(entry[2] for entry in rules.values()))
    out["rules"] = [{"rule": name, "sales": n, "lines": lines, "discount": money(discount)}
                    for name, (n, lines, discount) in sorted(rules.items())]
    out["notApplied"] = [{"rule": rule, "reason": reason, "sales": n} for (rule, reason), n
                         in sorted(not_applied.items(), key=lambda e: (e[0][0].encode(), e[0][1].encode()))]
    return out


# --- movements (one SKU's stock card at one outlet, from the chain bytes) -----------------------

# The transactions the movements report reads besides sales, refunds, voids and day-closes.
MOVEMENT_KINDS = REPORTED + (pos.RECEIVE, pos.ADJUST, pos.COUNT, pos.TRANSFER_OUT, pos.TRANSFER_IN)
# stock-adjust reasons (FORMAT.md §13.2)
ADJUSTMENT_REASONS = {1: "damaged", 2: "theft", 3: "expired", 4: "correction", 5: "sample", 6: "found"}


def stock_change(oid, originals, tx, sku):
    """(kind, change, detail) of one record of outlet `oid`'s chain for SKU `sku`: what it
    adds to the SKU's stock at the outlet (0 when it moves none of it); None for a record
    that never moves stock (a day-close)."""
    b, kind = tx["body"], tx["kind"]
    if kind == pos.SALE:
        if b["training"]:  # a training receipt moves no stock
            return "sale", 0, f"receipt {b['receipt']}"
        return "sale", -sum(line["qty"] for line in b["lines"] if line["sku"] == sku), f"receipt {b['receipt']}"
    if kind == pos.REFUND:
        original = original_sale(oid, originals, tx)
        change = 0
        for index, quantity, _, _ in b["lines"]:
            if index >= len(original["lines"]):
                raise ReportError(f"outlet {oid} height {tx['height']}: credit note {b['number']} refunds line "
                                  f"{index} of a sale of {len(original['lines'])} line(s)")
            if original["lines"][index]["sku"] == sku:
                change += quantity
        return "refund", change if b["restock"] else 0, f"credit note {b['number']}, restocked: {b['reason']}"
    if kind == pos.VOID:
        original = original_sale(oid, originals, tx)
        return ("void", sum(line["qty"] for line in original["lines"] if line["sku"] == sku),
                f"receipt {original['receipt']} voided: {b['reason']}")
    if kind == pos.RECEIVE:
        reference, lines = b[0], b[1]  # a version-2 receipt: its costed lines' SKUs and quantities
        return "receipt", sum(q for s, q in lines if s == sku), f"delivery {reference}"
    if kind == pos.ADJUST:
        adjusted, delta, reason, note = b
        return "adjustment", delta if adjusted == sku else 0, f"{ADJUSTMENT_REASONS[reason]}: {note}"
    if kind == pos.COUNT:
        for counted_sku, counted_units, expected, variance in b:
            if counted_sku == sku:  # a stocktake lists a SKU once (FORMAT.md §13.5)
                return "count", variance, f"counted {counted_units}, book {expected}"
        return "count", 0, ""
    if kind == pos.TRANSFER_OUT:
        counterpart, lines = b[1], b[2]  # version 2 adds lots (FORMAT.md §13.6): stock moves by the lines
        return "transfer-out", -sum(q for s, q in lines if s == sku), f"to outlet {counterpart}"
    if kind == pos.TRANSFER_IN:
        counterpart, lines = b[1], b[2]
        return "transfer-in", sum(q for s, q in lines if s == sku), f"from outlet {counterpart}"
    return None


def movements(records, oid, sku, date_from, date_to):
    """(opening, [movement]) of SKU `sku` at outlet `oid` over [date_from, date_to], from
    the outlet's chain records (chain order, MOVEMENT_KINDS, business dates assigned):
    every record with a business date ≤ date_to that changes the SKU's stock; those
    dated before date_from add to the opening balance, the others are listed in chain
    order, each a dict of the JSON item's fields with the balance after it."""
    originals = originals_of(records)
    opening, listed = 0, []
    for tx in records:
        if tx["kind"] == pos.DAY_CLOSE or tx["date"] > date_to:
            continue
        change = stock_change(oid, originals, tx, sku)
        if change is None or change[1] == 0:
            continue
        kind, amount, detail = change
        if tx["date"] < date_from:
            opening += amount
            continue
        listed.append({"kind": kind, "businessDate": tx["date"], "time": sg_time(tx["block_time"]),
                       "transactionId": tx["txid"].hex(), "by": tx["principal"], "change": amount, "detail": detail})
    balance = opening
    for item in listed:
        balance += item["change"]
        item["balance"] = balance
    return opening, [{k: item[k] for k in ("kind", "businessDate", "time", "transactionId", "by", "change", "balance",
                                          "detail")} for item in listed]


def movements_json(records, oid, sku, date_from, date_to, heads):
    """The movements report of SKU `sku` at outlet `oid` (its chain's records)."""
    opening, items = movements(records, oid, sku, date_from, date_to)
    return {"report": "movements", "sku": sku, "outletId": oid, "from": date_from, "to": date_to,
            "covers": {"heads": [{"outletId": o, "height": h, "blockId": head.hex()}
                                 for o, (h, head) in sorted(heads.items()) if h > 0]},
            "opening": opening, "closing": items[-1]["balance"] if items else opening, "movements": items}


# --- points (the loyalty points that moved in a range, from the chain bytes) --------------------

# The transactions the points report reads besides sales, refunds, voids and day-closes.
POINTS_KINDS = REPORTED + (pos.POINTS_ADJUST, pos.POINTS_CLAIM, pos.POINTS_SETTLE)
POINTS_FIGURES = ("earned", "redeemed", "reversedByRefunds", "reversedByVoids", "returnedByVoids", "adjustedUp",
                  "adjustedDown", "claimsCount", "claimedPoints", "settlementsCount", "settledPoints")


def points(chains, date_from, date_to, outlets=None):
    """{outlet: {figure: points or count}} of the counted transactions of `chains` ({outlet:
    records with the POINTS_KINDS}): one entry per outlet in `outlets` (default: the chains'),
    from its chain alone, zeros for an outlet whose chain moved no points in the range (or
    is not in `chains`); each figure as the bodies record it (docs/REPORTS.md, "points")."""
    out = {oid: dict.fromkeys(POINTS_FIGURES, 0) for oid in sorted(chains if outlets is None else outlets)}
    for oid, f in out.items():
        records = chains.get(oid, [])
        originals = originals_of(records)
        for tx in counted(records, date_from, date_to):
            b = tx["body"]
            if tx["kind"] == pos.SALE:
                if not b["training"] and b["member"]:
                    f["earned"] += b["earned"]
                    f["redeemed"] += b["redeemed"] + (b["record"]["reward"] if b.get("record") else 0)
            elif tx["kind"] == pos.REFUND:
                f["reversedByRefunds"] += b["reversed"]
            elif tx["kind"] == pos.VOID:
                original = original_sale(oid, originals, tx)
                if original["member"]:
                    f["reversedByVoids"] += original["earned"]
                    f["returnedByVoids"] += original["redeemed"]
            elif tx["kind"] == pos.POINTS_ADJUST:
                _, delta, _ = b
                if delta > 0:
                    f["adjustedUp"] += delta
                else:
                    f["adjustedDown"] -= delta
            elif tx["kind"] == pos.POINTS_CLAIM:
                f["claimsCount"] += 1
                f["claimedPoints"] += b["points"]
            elif tx["kind"] == pos.POINTS_SETTLE:
                f["settlementsCount"] += 1
                f["settledPoints"] += b["debited"]
    return out


def points_json(chains, date_from, date_to, outlets, heads):
    out = header("points", date_from, date_to, outlets, heads)
    per = points(chains, date_from, date_to, outlets)
    out["totals"] = dict({"key": "all"}, **{k: sum(f[k] for f in per.values()) for k in POINTS_FIGURES})
    out["byOutlet"] = [dict({"key": str(oid)}, **per[oid]) for oid in sorted(per)]
    return out


# --- lot (where one lot of one product is, from the chain bytes) --------------------------------

# The transactions the lot report replays: the bodies that carry lots (sale version 6,
# stock-receive versions 3 and 4, transfer-out and transfer-in version 2), voids (a voided
# sale's lots) and apply-recall (FORMAT.md §13.6).
LOT_KINDS = (pos.SALE, pos.VOID, pos.RECEIVE, pos.TRANSFER_OUT, pos.TRANSFER_IN, pos.APPLY_RECALL)
LOT_SALES_LISTED = 100_000   # docs/REPORTS.md "lot": at most 100 000 sales listed (the totals count every one)
LOT_FIGURES = ("received", "transferredIn", "transferredOut", "sold")


def lot_walk(records, gtin, lot):
    """One outlet chain's records (chain order, LOT_KINDS) replayed for one GTIN and lot, as
    FORMAT.md §13.6 moves the outlet's `lots`, `lot sales` and `recalls` records — from the
    bodies, never the stored state. Returns a dict:
      "lot": {"sku", "expiry" (day, 0: not known), "received", "transferredIn",
              "transferredOut", "sold"} or None when no body moved the lot at the outlet;
      "recall": {"recallId", "checkpoint", "reason"} of the outlet's apply-recall, or None;
      "sales": {sale id: {"till", "receiptNumber", "memberId", "quantity", "t"}}: the
              standing (not voided, not training) sales of the lot, one per sale with the sum
              of its entries of the lot;
      "outgoing": [(transfer id, counterpart, units of the lot)]: the outgoing halves whose
              lots hold the lot, in chain order;
      "incoming": the transfer ids of every incoming half of the chain."""
    out = {"lot": None, "recall": None, "sales": {}, "outgoing": [], "incoming": set()}
    sale_entries = {}   # sale id -> [(SKU, expiry, quantity)] of its entries of the lot: what a void takes back

    def moves(sku, expiry, field, quantity):
        # *A lot moves*: the record, or a new one with the line's SKU, the entry's expiry and
        # every total 0, gets the delta; an expiry of 0 becomes the entry's.
        if out["lot"] is None:
            out["lot"] = dict({"sku": sku, "expiry": expiry}, **dict.fromkeys(LOT_FIGURES, 0))
        out["lot"][field] += quantity
        if out["lot"]["expiry"] == 0:
            out["lot"]["expiry"] = expiry

    def entries_of(entries):
        """The lot entries (line index, GTIN, lot, expiry, quantity) of this GTIN and lot."""
        return [e for e in entries if e[1] == gtin and e[2] == lot]

    for tx in records:
        kind, b = tx["kind"], tx["body"]
        if kind == pos.SALE:
            mine = entries_of(b["lots"])
            if b["training"] or not mine:   # a training sale writes nothing for its lots
                continue
            sale_entries[tx["txid"]] = [(b["lines"][index]["sku"], expiry, qty) for index, _, _, expiry, qty in mine]
            for sku, expiry, qty in sale_entries[tx["txid"]]:
                moves(sku, expiry, "sold", qty)
            out["sales"][tx["txid"]] = {"till": tx["principal"], "receiptNumber": b["receipt"], "memberId": b["member"],
                                        "quantity": sum(qty for *_, qty in mine), "t": tx["time"]}
        elif kind == pos.VOID:
            taken = sale_entries.pop(b["original"], None)   # a sale with lots of this lot, not yet voided
            if taken is None:
                continue
            for sku, expiry, qty in taken:
                moves(sku, expiry, "sold", -qty)
            del out["sales"][b["original"]]
        elif kind == pos.RECEIVE:
            _, lines, _, entries = b
            for index, _, _, expiry, qty in entries_of(entries):
                moves(lines[index][0], expiry, "received", qty)
        elif kind in (pos.TRANSFER_OUT, pos.TRANSFER_IN):
            tid, counterpart, lines, entries = b
            outgoing = kind == pos.TRANSFER_OUT
            mine = entries_of(entries)
            for index, _, _, expiry, qty in mine:
                moves(lines[index][0], expiry, "transferredOut" if outgoing else "transferredIn", qty)
            if not outgoing:
                out["incoming"].add(tid)
            elif mine:
                out["outgoing"].append((tid, counterpart, sum(e[4] for e in mine)))
        elif kind == pos.APPLY_RECALL:
            recall = b["recall"]
            # a second recall of the lot is refused (326), so a chain holds at most one
            if recall["gtin"] == gtin and recall["lot"] == lot and out["recall"] is None:
                out["recall"] = {"recallId": recall["id"].hex(), "checkpoint": b["checkpoint"],
                                 "reason": recall["reason"]}
    return out


def iso_day(day):
    """Days since 1970-01-01 as YYYY-MM-DD."""
    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=day)).isoformat()


def lot_json(chains, heads, gtin, lot):
    """The lot report of GTIN `gtin` and lot `lot` over `chains` ({outlet: records with the
    LOT_KINDS}: every outlet chain of the store), covering `heads`."""
    walks = {oid: lot_walk(records, gtin, lot) for oid, records in chains.items()}
    rows = []
    for oid in sorted(walks):
        w = walks[oid]
        if w["lot"] is None and w["recall"] is None:
            continue
        record = w["lot"] or dict({"sku": "", "expiry": 0}, **dict.fromkeys(LOT_FIGURES, 0))   # a recall alone
        row = {"outletId": oid, "sku": record["sku"]}
        if record["expiry"] != 0:
            row["expiry"] = iso_day(record["expiry"])
        row.update({k: record[k] for k in LOT_FIGURES})
        row["onHand"] = record["received"] + record["transferredIn"] - record["transferredOut"] - record["sold"]
        if w["recall"] is not None:
            row["recall"] = dict(w["recall"])
        rows.append(row)
    # An outgoing half is in transit while the destination's chain holds no incoming half of
    # its id (a destination without a chain in the store holds none).
    transit = sorted(((tid, oid, to, qty) for oid in sorted(walks) for tid, to, qty in walks[oid]["outgoing"]
                      if tid not in walks.get(to, {"incoming": ()})["incoming"]), key=lambda t: t[:3])
    sales = sorted(((oid, sale["t"], txid, sale) for oid in walks for txid, sale in walks[oid]["sales"].items()),
                   key=lambda s: s[:3])
    return {"report": "lot", "gtin": gtin, "lot": lot,
            "covers": {"heads": [{"outletId": o, "height": h, "blockId": head.hex()}
                                 for o, (h, head) in sorted(heads.items()) if h > 0]},
            "outlets": rows,
            "inTransit": [{"transferId": tid.hex(), "from": frm, "to": to, "quantity": qty}
                          for tid, frm, to, qty in transit],
            "sold": [{"outletId": oid, "transactionId": txid.hex(), "till": sale["till"],
                      "receiptNumber": sale["receiptNumber"], "memberId": sale["memberId"],
                      "quantity": sale["quantity"], "time": sg_time(t)}
                     for oid, t, txid, sale in sales[:LOT_SALES_LISTED]],
            "totals": {"received": sum(r["received"] for r in rows), "sold": sum(r["sold"] for r in rows),
                       "onHand": sum(r["onHand"] for r in rows), "inTransit": sum(t[3] for t in transit),
                       "sales": len(sales), "members": len({s[3]["memberId"] for s in sales if s[3]["memberId"]})}}


# --- stock and loyalty (from the replayed state) -----------------------------------------------

def load_states(data_dir, outlet=None):
    """(outlet ids, {outlet: replayed state}, {outlet: (height, head id)}) for every genesis
    outlet chain, replayed by verify.py (FORMAT.md §9, §13); outlet ids are O."""
    import verify  # only here: the unit tests run without lmdb and PyNaCl
    try:
        _, replayed = verify.replay_states(data_dir)
    except verify.Fail as failure:
        raise StoreFailure(f"the replay fails: {failure}")
    genesis_outlets = sorted(replayed)
    if outlet is not None and outlet not in genesis_outlets:
        raise ReportError(f"outlet {outlet} is not a genesis outlet ({genesis_outlets})")
    outlets = [outlet] if outlet is not None else genesis_outlets
    states = {oid: state for oid, (state, _, _) in replayed.items()}
    heads = {oid: (h, head) for oid, (_, h, head) in replayed.items() if oid in outlets}
    return outlets, states, heads


def day_number(date):
    """A YYYY-MM-DD civil date as days since 1970-01-01."""
    return (datetime.date.fromisoformat(date) - datetime.date(1970, 1, 1)).days


def stock_items(state, oid):
    """[(sku, on hand, category, unit price)] of the stock records 0x11 ‖ u32(oid) ‖ SKU of
    one chain state, sorted by SKU (UTF-8 bytes, i.e. code points)."""
    prefix = b"\x11" + u32b(oid)
    out = []
    for key in state:
        if not key.startswith(prefix):
            continue
        sku = key[len(prefix):].decode()
        on_hand = pos.record(state, key, pos.i64)
        price = pos.get_price(state, oid, sku)
        category, unit = (price[0], price[1]) if price is not None else ("", 0)
        out.append((sku, on_hand, category, unit))
    return sorted(out, key=lambda item: item[0].encode())


def in_transit(states, outlets):
    """[(transfer id, from, to, [(sku, quantity)])]: the outgoing halves on every chain
    whose outlet or counterpart is in `outlets` and whose counterpart's chain state holds
    no incoming half (a counterpart without a chain here holds none), by transfer id."""
    wanted = set(outlets)
    out = []
    for chain_id in sorted(states):
        state = states[chain_id]
        for key in state:
            if len(key) != 18 or key[0] != 0x16 or key[17] != 1:
                continue
            tid = key[1:17]
            frm, to, lines, _ = pos.get_transfer(state, tid, True)  # version 2 also holds lots (FORMAT.md §13.6)
            if frm not in wanted and to not in wanted:
                continue
            if pos.k_transfer(tid, False) in states.get(to, {}):
                continue
            out.append((tid, frm, to, lines))
    return sorted(out, key=lambda t: (t[0], t[1], t[2]))


def unit_costs(records):
    """{SKU: unit cost} of one outlet chain's records (chain order): each SKU's unit cost on
    the last version-2 stock-receive that lists it."""
    costs = {}
    for tx in records:
        if tx["kind"] == pos.RECEIVE and tx["body"][2] is not None:
            for sku, _, cost in tx["body"][2]["lines"]:
                costs[sku] = cost
    return costs


def stock_json(states, outlets, heads, costs=None):
    """The stock report; `costs` = {outlet: unit_costs of its chain} (none: no unit costs)."""
    out = header_common("stock", outlets, heads)
    items, value, cost_value = [], 0, 0
    for oid in sorted(outlets):
        outlet_costs = (costs or {}).get(oid, {})
        for sku, on_hand, category, unit in stock_items(states.get(oid, {}), oid):
            worth = max(on_hand, 0) * unit  # negative stock is worth nothing
            value += worth
            cost = outlet_costs.get(sku)
            at_cost = None if cost is None else max(on_hand, 0) * cost
            cost_value += at_cost or 0
            items.append({"outletId": oid, "sku": sku, "category": category, "onHand": on_hand,
                          "unitPrice": money(unit), "value": money(worth),
                          "unitCost": None if cost is None else money(cost),
                          "costValue": None if at_cost is None else money(at_cost)})
    transit = in_transit(states, outlets)
    out["totals"] = {"skus": len(items), "units": sum(i["onHand"] for i in items), "value": money(value),
                     "costValue": money(cost_value), "negativeSkus": sum(1 for i in items if i["onHand"] < 0),
                     "transfersInTransit": len(transit)}
    out["items"] = items
    out["negative"] = [dict(i) for i in items if i["onHand"] < 0]
    out["inTransit"] = [{"transferId": tid.hex(), "from": frm, "to": to,
                         "lines": [{"sku": sku, "quantity": qty} for sku, qty in lines]}
                        for tid, frm, to, lines in transit]
    return out


def loyalty_figures(state, day, within):
    """The loyalty figures of one chain state on day number `day` (points and counts)."""
    f = {"members": 0, "outstandingPoints": 0, "expiringPoints": 0, "earnedTotal": 0, "redeemedTotal": 0,
         "expiredTotal": 0}
    for key in state:
        if key[:1] != b"\x12":
            continue
        account = pos.get_member(state, key[1:].decode())
        f["members"] += 1
        for expires_on, points in account["lots"]:
            if expires_on >= day:
                f["outstandingPoints"] += points
                if expires_on < day + within:
                    f["expiringPoints"] += points
        f["earnedTotal"] += account["earned"]
        f["redeemedTotal"] += account["redeemed"]
        f["expiredTotal"] += account["expired"]
    f["pointValueCents"] = pos.get_settings(state)["point_value"]
    allowance = pos.get_allowance(state)
    f["allowance"] = allowance["allowance"]
    f["onCredit"] = allowance["outstanding"] + sum(points for _, points in allowance["recent"])
    f["liability"] = f["outstandingPoints"] * f["pointValueCents"]
    f["expiringLiability"] = f["expiringPoints"] * f["pointValueCents"]
    return f


def loyalty_json(states, outlets, heads, on, within):
    out = header_common("loyalty", outlets, heads)
    out["on"], out["withinDays"] = on, within
    day = day_number(on)
    fields = ("members", "outstandingPoints", "liability", "expiringPoints", "expiringLiability", "earnedTotal",
              "redeemedTotal", "expiredTotal")
    per = [(oid, loyalty_figures(states.get(oid, {}), day, within)) for oid in sorted(outlets)]
    totals = {k: sum(f[k] for _, f in per) for k in fields}
    totals["pointValueCents"] = 0
    for k in ("allowance", "onCredit"):
        totals[k] = sum(f[k] for _, f in per)

    def shape(key, f):
        entry = {"key": key}
        for k in fields + ("pointValueCents", "allowance", "onCredit"):
            entry[k] = money(f[k]) if k in ("liability", "expiringLiability") else f[k]
        return entry
    out["totals"] = shape("all", totals)
    out["byOutlet"] = [shape(str(oid), f) for oid, f in per]
    return out


def header_common(name, outlets, heads):
    return {"report": name, "outlets": outlets,
            "covers": {"heads": [{"outletId": oid, "height": h, "blockId": head.hex()}
                                 for oid, (h, head) in sorted(heads.items()) if h > 0]}}


def expiry_dates(states, outlets):
    """The distinct expiry dates (YYYY-MM-DD) of the member lots of the outlets' states."""
    days = set()
    for oid in outlets:
        state = states.get(oid, {})
        for key in state:
            if key[:1] == b"\x12":
                days.update(d for d, _ in pos.get_member(state, key[1:].decode())["lots"])
    return [(datetime.date(1970, 1, 1) + datetime.timedelta(days=d)).isoformat() for d in sorted(days)]


# --- comparing with the Swift output -----------------------------------------------------------

def entry_key(entry):
    if isinstance(entry, dict):
        if "transactionId" in entry:
            return None  # an exception item: compared in order, by position
        if "key" not in entry and "outletId" in entry and "sku" in entry:
            return f"{entry['outletId']}/{entry['sku']}"  # a stock item
        if "rule" in entry and "reason" in entry:
            return f"{entry['rule']}: {entry['reason']}"  # a promotions notApplied entry
        for field in ("key", "basisPoints", "transferId", "sku", "outletId", "rule"):
            if field in entry:
                return entry[field]
    return None


def exception_items(entries):
    """Whether a JSON list is a (possibly empty) list of exception items."""
    return all(isinstance(e, dict) and "transactionId" in e for e in entries)


def first_difference(mine, theirs, path=""):
    """The first path at which two JSON values differ, with both values; None if equal."""
    if isinstance(mine, dict) and isinstance(theirs, dict):
        for key in list(mine) + [k for k in theirs if k not in mine]:
            where = f"{path}.{key}" if path else key
            if key not in theirs:
                return where, mine[key], "(missing)"
            if key not in mine:
                return where, "(missing)", theirs[key]
            found = first_difference(mine[key], theirs[key], where)
            if found:
                return found
        return None
    if isinstance(mine, list) and isinstance(theirs, list):
        keys_mine, keys_theirs = [entry_key(e) for e in mine], [entry_key(e) for e in theirs]
        if None not in keys_mine and None not in keys_theirs:
            if keys_mine != keys_theirs:
                return f"{path} keys", keys_mine, keys_theirs
            for key, a, b in zip(keys_mine, mine, theirs):
                found = first_difference(a, b, f"{path}[{key}]")
                if found:
                    return found
            return None
        if exception_items(mine) and exception_items(theirs):
            # items in the walk's order: the first differing position, then the lengths
            for i, (a, b) in enumerate(zip(mine, theirs)):
                found = first_difference(a, b, f"{path}[{i}]")
                if found:
                    return found
            if len(mine) != len(theirs):
                return f"{path} length", len(mine), len(theirs)
            return None
        if len(mine) != len(theirs):
            return f"{path} length", len(mine), len(theirs)
        for i, (a, b) in enumerate(zip(mine, theirs)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    # bool is an int in Python: a count of true is still a difference
    if mine != theirs or type(mine) is not type(theirs):
        return path, mine, theirs
    return None


def compare(mine, theirs):
    """(ok, line) for the Swift report `theirs` against the recomputation `mine`: every
    report "covers" aside, but the lot report, which is compared whole (its heads too)."""
    whole = mine["report"] == "lot"
    a = {k: v for k, v in mine.items() if whole or k != "covers"}
    b = {k: v for k, v in theirs.items() if whole or k != "covers"} if isinstance(theirs, dict) else theirs
    found = first_difference(a, b)
    if found:
        path, x, y = found
        return False, f"FAIL report: {path} python={json.dumps(x)} swift={json.dumps(y)}"
    if mine["report"] == "lot":
        t = mine["totals"]
        return True, (f"REPORT OK: lot {mine['gtin']} {mine['lot']}: {len(mine['outlets'])} outlet(s), "
                      f"{t['received']} received, {t['sold']} sold in {t['sales']} sale(s) to {t['members']} member(s), "
                      f"{t['onHand']} on hand, {t['inTransit']} in transit "
                      f"({len(mine['inTransit'])} transfer(s)), "
                      f"{sum(1 for o in mine['outlets'] if 'recall' in o)} outlet(s) recorded the recall")
    if mine["report"] == "movements":
        return True, (f"REPORT OK: movements {mine['sku']} outlet {mine['outletId']} {mine['from']}..{mine['to']}: "
                      f"opening {mine['opening']}, {len(mine['movements'])} movement(s), closing {mine['closing']}")
    if mine["report"] in ("stock", "loyalty"):
        scope = "all outlets" if len(mine["outlets"]) != 1 else f"outlet {mine['outlets'][0]}"
        t = mine["totals"]
        if mine["report"] == "stock":
            return True, (f"REPORT OK: stock {scope}: {t['skus']} SKUs, {t['units']} units worth S${t['value']}, "
                          f"{t['negativeSkus']} negative, {t['transfersInTransit']} transfer(s) in transit")
        return True, (f"REPORT OK: loyalty on {mine['on']} within {mine['withinDays']} days, {scope}: "
                      f"{t['members']} members, {t['outstandingPoints']} points outstanding (S${t['liability']}), "
                      f"{t['expiringPoints']} expiring (S${t['expiringLiability']})")
    span = f"{mine['from']}..{mine['to']}"
    scope = "" if len(mine["outlets"]) != 1 else f" outlet {mine['outlets'][0]}"
    if mine["report"] == "exceptions":
        t = mine["thresholds"]
        counts = ", ".join(f"{n} {kind}" for kind, n in mine["counts"].items()) or "none"
        return True, (f"REPORT OK: exceptions {span}{scope} (discount {t['discountPercent']}%, "
                      f"{t['memberSalesPerDay']} member sales a day): {len(mine['items'])} items ({counts})")
    if mine["report"] == "promotions":
        return True, (f"REPORT OK: promotions {span}{scope}: {len(mine['rules'])} rule(s), "
                      f"S${mine['totalDiscount']} discount")
    if mine["report"] == "points":
        t = mine["totals"]
        return True, (f"REPORT OK: points {span}{scope}: {t['earned']} earned, {t['redeemed']} redeemed, "
                      f"{t['reversedByRefunds']} + {t['reversedByVoids']} taken back by refunds + voids, "
                      f"{t['returnedByVoids']} returned by voids, +{t['adjustedUp']} -{t['adjustedDown']} adjusted, "
                      f"{t['claimsCount']} claim(s) of {t['claimedPoints']}, {t['settlementsCount']} settlement(s) "
                      f"of {t['settledPoints']}")
    if mine["report"] == "sales":
        t = mine["totals"]
        return True, f"REPORT OK: sales {span}{scope}: {t['salesCount']} sales, net S${t['netSales']}"
    boxes = mine["boxes"]
    return True, f"REPORT OK: gst {span}{scope}: box 1 S${boxes['1']}, box 6 S${boxes['6']}"


# --- the Z-report check ----------------------------------------------------------------------

def z_figures(periods):
    """The figures a sum of Z-report period totals gives, in the shape of z_of_report."""
    out = {k: 0 for k in ("sales_count", "sales_total", "discount_total", "rounding_total", "refunds_count",
                          "refunds_total", "voids_count", "voids_total", "training_count")}
    tenders, rates, other = {}, {}, {}
    for p in periods:
        for k in out:
            out[k] += p[k]
        for kind, amount in p["tenders"]:
            tenders[kind] = tenders.get(kind, 0) + amount
        for bp, amount, gst in p["rates"]:
            entry = rates.setdefault(bp, [0, 0])
            entry[0] += amount
            entry[1] += gst
        for category, amount in p["other"]:  # version-2 period totals: the other supplies
            other[category] = other.get(category, 0) + amount
    out["tenders"] = dict(sorted(tenders.items()))
    out["gstByRate"] = {bp: tuple(v) for bp, v in sorted(rates.items())}
    out["otherSupplies"] = dict(sorted(other.items()))
    return out


def z_of_report(s):
    t = s.totals
    out = {"sales_count": t["salesCount"], "sales_total": t["salesTotal"], "discount_total": t["discountTotal"],
           "rounding_total": t["roundingTotal"], "refunds_count": t["refundsCount"], "refunds_total": t["refundsTotal"],
           "voids_count": t["voidsCount"], "voids_total": t["voidsTotal"], "training_count": t["trainingCount"]}
    out["tenders"] = dict(sorted(s.tenders.items()))
    out["gstByRate"] = {bp: tuple(v) for bp, v in sorted(s.rates.items())}
    out["otherSupplies"] = dict(sorted(s.other.items()))
    return out


def check_z(chains):
    """(lines, failures): every day-close against the report of its outlet and date."""
    lines, failures = [], 0
    for oid, records in sorted(chains.items()):
        closes = [r for r in records if r["kind"] == pos.DAY_CLOSE]
        by_date = {}
        for r in closes:
            by_date.setdefault(r["body"][1], []).append(r)
        for date, zs in sorted(by_date.items()):
            want = z_figures([r["body"][2] for r in zs])
            got = z_of_report(compute({oid: records}, date, date))
            label = "+".join(str(r["body"][0]) for r in zs)
            if want == got:
                for r in zs:
                    lines.append(f"Z OK: outlet {oid} z {r['body'][0]} date {date}")
                continue
            failures += 1
            field = next(k for k in want if want[k] != got[k])
            # The open day (after the last Z) is dated by its blocks' Singapore dates, so it
            # can fall on a closed date: then say whether the closed transactions alone agree.
            last = max(i for i, r in enumerate(records) if r["kind"] == pos.DAY_CLOSE)
            after_last = [r for r in records[last + 1:] if r["date"] == date]
            why = ""
            if after_last:
                closed = z_of_report(compute({oid: records[:last + 1]}, date, date)) == want
                why = (f" ({len(after_last)} transaction(s) of the open day after the last Z fall on {date} by their "
                       f"block's Singapore date; without them the report "
                       f"{'equals' if closed else 'still differs from'} the Z-report)")
            lines.append(f"FAIL Z: outlet {oid} z {label} date {date}: {field} Z-report={want[field]} "
                         f"report={got[field]}{why}")
    return lines, failures


# --- command line ------------------------------------------------------------------------------

REPORTS = ("sales", "gst", "stock", "loyalty", "exceptions", "promotions", "movements", "points", "lot")
POINT_IN_TIME = ("stock", "loyalty")


class StoreFailure(Exception):
    """The store cannot be replayed (verify.py's verdict)."""


def compared_report(path):
    """The "report" field of the JSON in `path`, or None when it cannot be read."""
    try:
        with open(path) as f:
            theirs = json.load(f)
    except (OSError, ValueError):
        return None
    return theirs.get("report") if isinstance(theirs, dict) else None


def parse(argv):
    args = {"data": None, "from": None, "to": None, "outlet": None, "report": None, "compare": None,
            "check_z": False, "dates": False, "on": None, "within": None, "expiry_dates": False,
            "discount_percent": None, "member_sales": None, "sku": None, "gtin": None, "lot": None}
    i = 1
    flags = {"--from": "from", "--to": "to", "--outlet": "outlet", "--report": "report", "--compare": "compare",
             "--on": "on", "--within": "within", "--discount-percent": "discount_percent",
             "--member-sales-per-day": "member_sales", "--sku": "sku", "--gtin": "gtin", "--lot": "lot"}
    while i < len(argv):
        a = argv[i]
        if a in flags:
            if i + 1 >= len(argv):
                raise ReportError(f"{a} needs a value")
            args[flags[a]] = argv[i + 1]
            i += 2
        elif a == "--check-z":
            args["check_z"] = True
            i += 1
        elif a == "--dates":
            args["dates"] = True
            i += 1
        elif a == "--expiry-dates":
            args["expiry_dates"] = True
            i += 1
        elif a.startswith("-"):
            raise ReportError(f"unknown option {a}")
        elif args["data"] is None:
            args["data"] = a
            i += 1
        else:
            raise ReportError(f"unexpected argument {a}")
    if args["data"] is None:
        raise ReportError("DATA_DIR is required")
    if args["outlet"] is not None:
        if not args["outlet"].isdigit() or int(args["outlet"]) >= 1 << 32:
            raise ReportError("--outlet takes an outlet id")
        args["outlet"] = int(args["outlet"])
    for field in ("from", "to", "on"):
        if args[field] is not None and not pos.valid_date(args[field]):
            raise ReportError(f"--{field} {args[field]} is not a YYYY-MM-DD date")
    if args["within"] is not None:
        # the range `sgpos report loyalty` accepts
        if not args["within"].isdigit() or not 1 <= int(args["within"]) <= 3660:
            raise ReportError("--within takes 1...3660 days")
        args["within"] = int(args["within"])
    # the ranges `GET /v1/reports/exceptions` accepts (docs/openapi.json)
    for field, flag, hi in (("discount_percent", "--discount-percent", 100),
                            ("member_sales", "--member-sales-per-day", 10_000)):
        if args[field] is not None:
            if not args[field].isdigit() or not 1 <= int(args[field]) <= hi:
                raise ReportError(f"{flag} takes 1...{hi}")
            args[field] = int(args[field])
    if args["report"] not in (None,) + REPORTS:
        raise ReportError("--report is sales, gst, stock, loyalty, exceptions, promotions, movements, points or lot")
    kind = args["report"]
    if kind is None and args["compare"] is not None:
        kind = compared_report(args["compare"])
    special = args["check_z"] or args["dates"] or args["expiry_dates"]
    if (args["discount_percent"] is not None or args["member_sales"] is not None) and (special or kind != "exceptions"):
        raise ReportError("--discount-percent and --member-sales-per-day are for the exceptions report")
    if kind == "exceptions":
        if args["discount_percent"] is None:
            args["discount_percent"] = DEFAULT_DISCOUNT_PERCENT
        if args["member_sales"] is None:
            args["member_sales"] = DEFAULT_MEMBER_SALES_PER_DAY
    if args["sku"] is not None and (special or kind != "movements"):
        raise ReportError("--sku is for the movements report")
    if kind == "movements" and not special:
        if args["sku"] is None or not args["sku"]:
            raise ReportError("--sku is required for the movements report")
        if args["outlet"] is None:
            raise ReportError("--outlet is required for the movements report")
    if (args["on"] is not None or args["within"] is not None) and (special or kind != "loyalty"):
        raise ReportError("--on and --within are for the loyalty report")
    if (args["gtin"] is not None or args["lot"] is not None) and (special or kind != "lot"):
        raise ReportError("--gtin and --lot are for the lot report")
    if kind == "lot" and not special:
        # docs/REPORTS.md "lot": a GTIN of 14 digits with its GS1 check digit, a lot of 1-20
        # printable characters without spaces (FORMAT.md §13.6); it reads every outlet
        if args["gtin"] is None or args["lot"] is None:
            raise ReportError("--gtin and --lot are required for the lot report")
        if not (args["gtin"].isascii() and lots.gtin_valid(args["gtin"])):
            raise ReportError(f"--gtin {args['gtin']} is not a GTIN (14 digits with a valid GS1 check digit)")
        if not (args["lot"].isascii() and lots.lot_valid(args["lot"])):
            raise ReportError(f"--lot {args['lot']!r} is not a lot (1-20 printable ASCII characters without spaces)")
        if args["outlet"] is not None:
            raise ReportError("the lot report reads every outlet: no --outlet")
        if args["from"] is not None or args["to"] is not None:
            raise ReportError("--from and --to are for the sales and gst reports, not lot")
    elif kind in POINT_IN_TIME and not special:
        if args["from"] is not None or args["to"] is not None:
            raise ReportError(f"--from and --to are for the sales and gst reports, not {kind}")
        if kind == "loyalty":
            if args["on"] is None:
                args["on"] = pos.sg_date(int(time.time() * 1000)).isoformat()  # today in Singapore
            if args["within"] is None:
                args["within"] = 30
    elif not special:
        if args["from"] is None or args["to"] is None:
            raise ReportError("--from and --to are required")
        if args["from"] > args["to"]:
            raise ReportError("--from is after --to")
        if args["report"] is None and args["compare"] is None:
            raise ReportError("--report sales|gst|stock|loyalty|exceptions|promotions|movements|points|lot is required")
    return args


def main(argv):
    spans = None
    try:
        args = parse(argv)
        theirs = None
        if args["compare"] is not None:
            try:
                with open(args["compare"]) as f:
                    theirs = json.load(f)
            except (OSError, ValueError) as error:
                print(f"FAIL report: cannot read {args['compare']}: {error}")
                return 1
            if args["report"] is None:
                args["report"] = theirs.get("report") if isinstance(theirs, dict) else None
                if args["report"] not in REPORTS:
                    print(f"FAIL report: report python=(unknown) swift={json.dumps(args['report'])}")
                    return 1
        if args["expiry_dates"] or (args["report"] in POINT_IN_TIME and not (args["check_z"] or args["dates"])):
            try:
                outlets, states, heads = load_states(args["data"], args["outlet"])
            except KeyError as error:
                raise StoreFailure(f"cannot read: {error!r}")
            costs = None
            if args["report"] == "stock" and not args["expiry_dates"]:
                # unit costs come from the costed stock-receive bodies, up to the heights replayed
                _, _, receipts, _ = load(args["data"], args["outlet"], (pos.RECEIVE,),
                                         {oid: h for oid, (h, _) in heads.items()})
                costs = {oid: unit_costs(records) for oid, records in receipts.items()}
        else:
            kinds = REPORTED
            if not (args["check_z"] or args["dates"]):
                kinds = {"exceptions": EXCEPTION_KINDS, "movements": MOVEMENT_KINDS, "gst": GST_KINDS,
                         "points": POINTS_KINDS, "lot": LOT_KINDS}.get(args["report"], REPORTED)
            g, outlets, chains, heads = load(args["data"], args["outlet"], kinds)
            if args["report"] == "gst" and not (args["check_z"] or args["dates"]):
                spans = late_spans(args["data"], g, outlets, {oid: h for oid, (h, _) in heads.items()})
    except ReportError as error:
        print(f"reports.py: {error}", file=sys.stderr)
        return 2
    except StoreFailure as error:
        print(f"FAIL store: {error}")
        return 1
    except (ValueError, UnicodeDecodeError, struct.error) as error:
        print(f"FAIL store: cannot read: {error!r}")
        return 1
    except Exception as error:  # lmdb.Error without importing lmdb at module level
        if type(error).__module__.startswith("lmdb"):
            print(f"FAIL store: cannot read: {error!r}")
            return 1
        raise
    if args["expiry_dates"]:
        for date in expiry_dates(states, outlets):
            print(date)
        return 0
    if args["dates"]:
        for date in sorted({r["date"] for records in chains.values() for r in records}):
            print(date)
        return 0
    if args["check_z"]:
        lines, failures = check_z(chains)
        for line in lines:
            print(line)
        if not lines:
            print("Z: no day-close in the chains")
        return 1 if failures else 0
    try:
        if args["report"] == "stock":
            mine = stock_json(states, outlets, heads, costs)
        elif args["report"] == "loyalty":
            mine = loyalty_json(states, outlets, heads, args["on"], args["within"])
        elif args["report"] == "exceptions":
            mine = exceptions_json(chains, args["from"], args["to"], outlets, heads, args["discount_percent"] * 100,
                                   args["member_sales"])
        elif args["report"] == "promotions":
            mine = promotions_json(chains, args["from"], args["to"], outlets, heads)
        elif args["report"] == "points":
            mine = points_json(chains, args["from"], args["to"], outlets, heads)
        elif args["report"] == "lot":
            mine = lot_json(chains, heads, args["gtin"], args["lot"])
        elif args["report"] == "movements":
            mine = movements_json(chains[args["outlet"]], args["outlet"], args["sku"], args["from"], args["to"], heads)
        else:
            mine = report_json(args["report"], chains, args["from"], args["to"], outlets, heads,
                               spans if args["report"] == "gst" else None)
    except ReportError as error:
        print(f"FAIL store: {error}")
        return 1
    if theirs is None:
        print(json.dumps(mine, indent=2))
        return 0
    ok, line = compare(mine, theirs)
    print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
