"""The POS state machine of docs/FORMAT.md §13, for the independent verifier.

Integer arithmetic only. `apply(ctx, body_type, body)` decodes one application body and
applies it to the overlay `ctx.state`, raising `Reject(code, message)` like §13.5 says.
"""
import datetime
import re
import struct

import hashlib

from common import Reader, Reject, enc_str, u32b, u64b
import lots
import rules as rules_language
from rules import checker as rules_checker

SINGAPORE_MS = 28_800_000
DAY_MS = 86_400_000
MONEY_LIMIT = 10 ** 12
TIER_THRESHOLDS = [(5, 5_000_000), (4, 2_000_000), (3, 500_000), (2, 100_000), (1, 0)]
TIER_MULTIPLIER = {1: 10_000, 2: 12_000, 3: 15_000, 4: 20_000, 5: 25_000}
SALE, REFUND, VOID = 0x0100, 0x0101, 0x0102
SET_PRICES, CONFIGURE = 0x0110, 0x0111
RECEIVE, ADJUST, COUNT, TRANSFER_OUT, TRANSFER_IN = 0x0120, 0x0121, 0x0122, 0x0123, 0x0124
ENROL, POINTS_ADJUST, MEMBER_MULTIPLIER = 0x0130, 0x0131, 0x0132
POINTS_CLAIM, POINTS_SETTLE = 0x0133, 0x0134
GIFT_CARD_LOAD = 0x0135   # §13.1: stored value sold onto a gift card or a member's e-wallet
DEPLOY_RULE, POINT_RATES, ISSUE_COUPONS = 0x0112, 0x0113, 0x0114
SHIFT_OPEN, CASH_IN, CASH_OUT, SHIFT_CLOSE, DAY_CLOSE, DRAWER_OPEN = 0x0140, 0x0141, 0x0142, 0x0143, 0x0144, 0x0145
ROLE_ADMIN, ROLE_OPERATOR, ROLE_TILL, ROLE_NODE = 1, 2, 3, 4
# §13.2 tax categories: IRAS's GST treatment of a supply; only 1 (standard-rated) bears GST.
STANDARD_RATED = 1
TAX_CODES = {1: "SR", 2: "ZR", 3: "ES", 4: "OS"}   # a tax category as the rules see it (CONTRACTS.md §3.2)
TAX_CATEGORIES = {1: "SR", 2: "ZR", 3: "ES", 4: "OS"}
# §13.1: the bodies that also have a version 2 (tax categories; stock-receive: the invoice).
VERSION_2_BODIES = (SALE, SET_PRICES, DAY_CLOSE, RECEIVE)
APPLY_RECALL = lots.APPLY_RECALL   # §13.1 0x0125: a product recall carried by a checkpoint (§13.6)
# §13.1: each body's highest version (1 when not listed): sale 6 (lots), configure 5, stock-receive 4
# (3 and 4: versions 1 and 2 followed by lots), refund, set-prices, day-close and transfers 2.
BODY_VERSIONS = {SALE: 6, CONFIGURE: 5, RECEIVE: 4, REFUND: 2, SET_PRICES: 2, DAY_CLOSE: 2, TRANSFER_OUT: 2,
                 TRANSFER_IN: 2}


# --- arithmetic ----------------------------------------------------------------------

def halfup(n, d):
    """n/d rounded half away from zero (d > 0)."""
    q, r = divmod(abs(n), d)
    if 2 * r >= d:
        q += 1
    return q if n >= 0 else -q


def toward_zero(n, d):
    q = abs(n) // d
    return q if n >= 0 else -q


def allocate(total, weights):
    """Largest-remainder split of total over weights (all >= 0); ties to the earlier."""
    s = sum(weights)
    if s == 0:
        return [0] * len(weights)
    parts, rems = [], []
    for i, w in enumerate(weights):
        parts.append(toward_zero(total * w, s))
        rems.append((abs(total * w) - abs(toward_zero(total * w, s)) * s, i))
    left = total - sum(parts)
    step = -1 if left < 0 else 1
    for _, i in sorted(rems, key=lambda x: (-x[0], x[1])):
        if left == 0:
            break
        parts[i] += step
        left -= step
    return parts


def sg_day(ms):
    return (ms + SINGAPORE_MS) // DAY_MS


def sg_date(ms):
    return datetime.date(1970, 1, 1) + datetime.timedelta(days=sg_day(ms))


EXPIRY_ROUNDINGS = {1: "day", 2: "month", 3: "quarter", 4: "year"}   # §13.2 configure version 3


def expiry_day(ms, months, rounding="month"):
    """§13.3 Expiry day: from the month `months` after the Singapore date of `ms`, that
    date's day of the month (at most the month's last day), or the last day of that month,
    of its calendar quarter or of its year."""
    d = sg_date(ms)
    target = d.year * 12 + (d.month - 1) + months          # month index, 0 = January of year 0

    def last_day(index):
        first_next = datetime.date((index + 1) // 12, (index + 1) % 12 + 1, 1)
        return (first_next - datetime.date(1970, 1, 1)).days - 1
    if rounding == "day":
        return add_months(sg_day(ms), months)
    if rounding == "quarter":
        return last_day(target - target % 3 + 2)
    if rounding == "year":
        return last_day(target - target % 12 + 11)
    return last_day(target)


def tier_for(spend):
    for tier, threshold in TIER_THRESHOLDS:
        if spend >= threshold:
            return tier
    return 1


def i64b(v): return struct.pack(">q", v)


def valid_date(text):
    """`YYYY-MM-DD`, a real calendar date."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return False
    year, month, day = int(text[:4]), int(text[5:7]), int(text[8:])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    lengths = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return 1 <= month <= 12 and 1 <= day <= lengths[month - 1]


def text_ok(text, lo, hi):
    raw = text.encode()
    return lo <= len(raw) <= hi and all(ord(c) >= 0x20 and ord(c) != 0x7F for c in text)


def printable(text, lo, hi):
    raw = text.encode()
    return lo <= len(raw) <= hi and all(0x20 < b < 0x7F for b in raw)


# --- §13.2 decoding ------------------------------------------------------------------

def i64(r): return struct.unpack(">q", r.take(8))[0]


def read_version(r, what, versions=(1,)):
    version = r.u8()
    if version not in versions:
        raise ValueError(f"{what} version {version}")
    return version


def read_tax_category(r):
    category = r.u8()
    if category not in TAX_CATEGORIES:
        raise ValueError(f"tax category {category}")
    return category


def read_tender(r):
    kind = r.u8()
    if kind == 1:
        return {"kind": 1, "tendered": i64(r), "change": i64(r)}
    if kind in (2, 3):
        return {"kind": kind, "amount": i64(r), "terminal": r.string(16), "approval": r.string(12), "rrn": r.string(24),
                "pan": r.string(19), "scheme": r.string(16)}
    if kind == 4:
        return {"kind": 4, "amount": i64(r), "hash": r.take(32), "ref": r.string(25), "source": r.string(64)}
    if kind == 5:
        return {"kind": 5, "id": r.string(64), "amount": i64(r)}
    if kind == 6:
        return {"kind": 6, "points": i64(r), "amount": i64(r)}
    raise ValueError("tender kind")


def tender_amount(t):
    return t["tendered"] - t["change"] if t["kind"] == 1 else t["amount"]


def enc_tender(t):
    k = t["kind"]
    out = bytes([k])
    if k == 1:
        return out + i64b(t["tendered"]) + i64b(t["change"])
    if k in (2, 3):
        return out + i64b(t["amount"]) + b"".join(enc_str(t[f]) for f in ("terminal", "approval", "rrn", "pan", "scheme"))
    if k == 4:
        return out + i64b(t["amount"]) + t["hash"] + enc_str(t["ref"]) + enc_str(t["source"])
    if k == 5:
        return out + enc_str(t["id"]) + i64b(t["amount"])
    return out + i64b(t["points"]) + i64b(t["amount"])


CODES_MAX = 8                  # §13.2 sale version 5, §13.3 sale pricing version 2: codes list(8) …
CODE_BYTES = 32                # … of string(32)


def read_codes(r):
    """A promotion code list: list(8) of string(32) (sale version 5, sale pricing version 2)."""
    return [r.string(CODE_BYTES) for _ in range(r.count(CODES_MAX))]


def enc_codes(codes):
    return u32b(len(codes)) + b"".join(enc_str(code) for code in codes)


def read_tenders(r):
    return [read_tender(r) for _ in range(r.count(16))]


def enc_tenders(ts):
    return u32b(len(ts)) + b"".join(enc_tender(t) for t in ts)


def read_stock_lines(r):
    return [(r.string(64), i64(r)) for _ in range(r.count(1000))]


def enc_stock_lines(lines):
    return u32b(len(lines)) + b"".join(enc_str(s) + i64b(q) for s, q in lines)


def read_period(r, version=1):
    """Period totals; version 2 (in a version-2 day-close body or books record) adds the
    other supplies: a non-empty list(3) of (category 2-4, amount), each category once."""
    p = {k: i64(r) for k in ("sales_count", "sales_total", "discount_total", "rounding_total", "refunds_count",
                             "refunds_total", "voids_count", "voids_total", "training_count")}
    p["rates"] = [[r.u32(), i64(r), i64(r)] for _ in range(r.count(64))]
    p["tenders"] = []
    for _ in range(r.count(64)):
        kind = r.u8()
        if kind not in range(1, 7):
            raise ValueError("tender kind")
        p["tenders"].append([kind, i64(r)])
    p["grand_sales"], p["grand_refunds"], p["grand_voids"] = i64(r), i64(r), i64(r)
    p["other"] = []
    if version == 2:
        for _ in range(r.count(3)):
            category, amount = read_tax_category(r), i64(r)
            if category == STANDARD_RATED or (p["other"] and category <= p["other"][-1][0]):
                raise ValueError(f"other supplies entry of category {category}: 2-4, strictly ascending")
            p["other"].append([category, amount])
        if not p["other"]:
            raise ValueError("version-2 period totals without other supplies")
    return p


def new_period(carry=None):
    p = {k: 0 for k in ("sales_count", "sales_total", "discount_total", "rounding_total", "refunds_count",
                        "refunds_total", "voids_count", "voids_total", "training_count")}
    p["rates"], p["tenders"], p["other"] = [], [], []
    p["grand_sales"] = carry["grand_sales"] if carry else 0
    p["grand_refunds"] = carry["grand_refunds"] if carry else 0
    p["grand_voids"] = carry["grand_voids"] if carry else 0
    return p


def enc_period(p):
    """Period totals, of version 2 (the other supplies appended) exactly when they hold other supplies."""
    out = b"".join(i64b(p[k]) for k in ("sales_count", "sales_total", "discount_total", "rounding_total",
                                          "refunds_count", "refunds_total", "voids_count", "voids_total",
                                          "training_count"))
    out += u32b(len(p["rates"])) + b"".join(u32b(a) + i64b(b) + i64b(c) for a, b, c in p["rates"])
    out += u32b(len(p["tenders"])) + b"".join(bytes([k]) + i64b(a) for k, a in p["tenders"])
    out += i64b(p["grand_sales"]) + i64b(p["grand_refunds"]) + i64b(p["grand_voids"])
    if p["other"]:
        out += u32b(len(p["other"])) + b"".join(bytes([c]) + i64b(a) for c, a in p["other"])
    return out


def period_version(p):
    return 2 if p["other"] else 1


def period_add_rate(p, rate, amount, gst):
    for entry in p["rates"]:
        if entry[0] == rate:
            entry[1] += amount
            entry[2] += gst
            return
    p["rates"].append([rate, amount, gst])
    p["rates"].sort(key=lambda e: e[0])


def period_add_other(p, category, amount):
    for entry in p["other"]:
        if entry[0] == category:
            entry[1] += amount
            return
    p["other"].append([category, amount])
    p["other"].sort(key=lambda e: e[0])


def period_supplies(p, rate, lines, sign=1):
    """§13.5 *supplies added* (sign 1) or taken back (sign -1) for lines of (tax category,
    amount, GST): the standard-rated lines' sums at the rate if there is one such line, then
    each other category that a line has, its amounts."""
    standard = [(amount, gst) for category, amount, gst in lines if category == STANDARD_RATED]
    if standard:
        period_add_rate(p, rate, sign * sum(a for a, _ in standard), sign * sum(g for _, g in standard))
    for category in (2, 3, 4):
        amounts = [amount for c, amount, _ in lines if c == category]
        if amounts:
            period_add_other(p, category, sign * sum(amounts))


def period_add_tender(p, kind, amount):
    for entry in p["tenders"]:
        if entry[0] == kind:
            entry[1] += amount
            return
    p["tenders"].append([kind, amount])
    p["tenders"].sort(key=lambda e: e[0])


def decode(kind, body):
    r = Reader(body)
    version = read_version(r, "POS body", tuple(range(1, BODY_VERSIONS.get(kind, 1) + 1)))
    if kind == SALE:
        s = {"receipt": r.u64(), "training": r.boolean(), "member": r.string(32), "lines": []}
        for _ in range(r.count(500)):
            line = {"sku": r.string(64), "category": r.string(64), "qty": i64(r), "unit": i64(r), "incl": r.boolean()}
            line["tax"] = read_tax_category(r) if version >= 2 else STANDARD_RATED
            line["discounts"] = [(r.string(64), i64(r)) for _ in range(r.count(8))]
            line["net"], line["gst"] = i64(r), i64(r)
            s["lines"].append(line)
        s["rate"] = r.u32()
        for k in ("subtotal", "discount", "gst", "total", "rounding", "redeemed", "earned"):
            s[k] = i64(r)
        s["tenders"] = read_tenders(r)
        s["record"], s["skipped"], s["codes"], s["lots"] = None, [], [], []
        if version >= 3:
            # the rule record: reward points, the rules' tier, counter moves
            record = {"reward": i64(r), "tier": r.u8(), "counters": []}
            if record["tier"] > 5:
                raise ValueError("rule tier above 5")
            for _ in range(r.count(256)):
                record["counters"].append((r.string(64), r.string(64), r.string(32), i64(r)))
            empty = record["reward"] == 0 and record["tier"] == 0 and not record["counters"]
            if version == 3 and empty:
                raise ValueError("version-3 sale with an empty rule record")
            s["record"] = None if empty else record   # versions 4-6: an empty record counts as none
            if version >= 4:
                # the skip reasons (§13.4 step 4): (rule id, reason), at least one in version 4
                s["skipped"] = [(r.string(64), r.string(128)) for _ in range(r.count(SKIP_REASONS_MAX))]
                if version == 4 and not s["skipped"]:
                    raise ValueError("version-4 sale without a skip reason")
            if version >= 5:
                # the promotion codes keyed in, in the order keyed: at least one in version 5 (§13.1);
                # their form (1-32 bytes 0x21-0x7E, none twice) is §13.4 step 4's check (17), not decoding
                s["codes"] = read_codes(r)
                if version == 5 and not s["codes"]:
                    raise ValueError("version-5 sale without a promotion code")
            if version == 6:
                # the sale's lots (§13.6): at least one entry
                s["lots"] = lots.read_lots(r)
                if not s["lots"]:
                    raise ValueError("version-6 sale without lots")
        elif version == 2 and all(line["tax"] == STANDARD_RATED for line in s["lines"]):
            raise ValueError("version-2 sale without a line of another tax category than 1")
        out = s
    elif kind == REFUND:
        out = {"original": r.take(32), "number": r.u64(), "reason": r.string(128), "restock": r.boolean(),
               "lines": [(r.u32(), i64(r), i64(r), i64(r)) for _ in range(r.count(500))]}
        out["rate"], out["amount"], out["gst"], out["reversed"] = r.u32(), i64(r), i64(r), i64(r)
        out["tenders"] = read_tenders(r)
        out["adjustments"] = []
        if version == 2:
            # what re-pricing the kept units adds to each kept line (line index, amount, GST):
            # indexes strictly ascending, no entry all zero, the list not empty
            for _ in range(r.count(500)):
                index, amount, gst = r.u32(), i64(r), i64(r)
                if out["adjustments"] and index <= out["adjustments"][-1][0]:
                    raise ValueError("refund adjustments: line indexes not strictly ascending")
                if amount == 0 and gst == 0:
                    raise ValueError(f"refund adjustment of line {index}: amount and GST both 0")
                out["adjustments"].append((index, amount, gst))
            if not out["adjustments"]:
                raise ValueError("version-2 refund with no adjustments")
    elif kind == VOID:
        out = {"original": r.take(32), "reason": r.string(128)}
    elif kind == SET_PRICES:
        # (SKU, category, unit price, includes GST, tax category, active)
        out = [(r.string(64), r.string(64), i64(r), r.boolean(),
                read_tax_category(r) if version == 2 else STANDARD_RATED, r.boolean()) for _ in range(r.count(1000))]
        if version == 2 and all(entry[4] == STANDARD_RATED for entry in out):
            raise ValueError("version-2 price list without an entry of another tax category than 1")
    elif kind == CONFIGURE:
        out = read_settings(r, version)
    elif kind == RECEIVE:
        # (reference, stock lines, invoice, lots): version 2's costed lines, supplier and input
        # GST, None in version 1; the stock lines are the costed lines' SKUs and quantities;
        # versions 3 and 4 are versions 1 and 2 followed by lots (§13.6), at least one.
        reference = r.string(64)
        if version in (1, 3):
            out = (reference, read_stock_lines(r), None)
        else:
            costed = [(r.string(64), i64(r), i64(r)) for _ in range(r.count(1000))]
            invoice = {"lines": costed, "supplier": r.string(128), "input_gst": i64(r)}
            out = (reference, [(sku, qty) for sku, qty, _ in costed], invoice)
        out += (read_required_lots(r, f"version-{version} stock-receive") if version >= 3 else [],)
    elif kind == ADJUST:
        out = (r.string(64), i64(r), r.u8(), r.string(128))
        if out[2] not in range(1, 7):
            raise ValueError("adjustment reason")
    elif kind == COUNT:
        out = [(r.string(64), i64(r), i64(r), i64(r)) for _ in range(r.count(1000))]
    elif kind in (TRANSFER_OUT, TRANSFER_IN):
        # (transfer id, counterpart, stock lines, lots): version 2 adds lots (§13.6), at least one
        out = (r.take(16), r.u32(), read_stock_lines(r))
        out += (read_required_lots(r, "version-2 transfer") if version == 2 else [],)
    elif kind == ENROL:
        out = r.string(32)
    elif kind == GIFT_CARD_LOAD:
        # card hash (SHA-256 of the card code), member id (empty: a bearer card), amount, tenders
        out = {"card": r.take(32), "member": r.string(32), "amount": i64(r), "tenders": read_tenders(r)}
    elif kind == POINTS_ADJUST:
        out = (r.string(32), i64(r), r.string(128))
    elif kind == SHIFT_OPEN:
        out = i64(r)
    elif kind in (CASH_IN, CASH_OUT):
        out = (i64(r), r.string(128))
    elif kind == SHIFT_CLOSE:
        out = (i64(r), i64(r), i64(r))
    elif kind == DAY_CLOSE:
        out = (r.u64(), r.string(10), read_period(r, version))
    elif kind == DRAWER_OPEN:
        out = r.string(128)
    elif kind == DEPLOY_RULE:
        out = (r.string(65_536), r.u64())
    elif kind == POINT_RATES:
        out = ([(r.string(64), i64(r)) for _ in range(r.count(256))], r.string(128))
    elif kind == ISSUE_COUPONS:
        # campaign, member id (empty: anyone), valid from and until (days), code hashes
        out = {"campaign": r.string(32), "member": r.string(32), "from": i64(r), "until": i64(r),
               "hashes": [r.take(32) for _ in range(r.count(COUPON_HASHES_MAX))]}
    elif kind == MEMBER_MULTIPLIER:
        out = (r.string(32), i64(r), r.string(128))
    elif kind == POINTS_CLAIM:
        out = {"id": r.take(16), "member": r.string(32), "points": i64(r), "source": r.u32(), "checkpoint": r.u64(),
               "covered": r.u64(), "outstanding": i64(r), "allowance": i64(r)}
        out["bytes"] = body
    elif kind == POINTS_SETTLE:
        out = {"id": r.take(16), "claimant": r.u32(), "member": r.string(32), "points": i64(r), "debited": i64(r)}
        out["bytes"] = body
    elif kind == APPLY_RECALL:
        # checkpoint u64 ‖ the product recall (§9.8, its whole encoding)
        out = lots.read_apply_recall(r)
    else:
        raise ValueError(f"body type {kind:#06x} is not a POS body")
    r.finish()
    return out


def read_required_lots(r, what):
    """The lots of a body whose version carries them (§13.1): an empty list is a decoding error."""
    entries = lots.read_lots(r)
    if not entries:
        raise ValueError(f"{what} without lots")
    return entries


# --- §13.3 tables and records ----------------------------------------------------------

def k_price(o, sku): return b"\x10" + u32b(o) + sku.encode()
def k_stock(o, sku): return b"\x11" + u32b(o) + sku.encode()
def k_member(m): return b"\x12" + m.encode()
def k_shift(o, till): return b"\x13" + u32b(o) + till.encode()
def k_books(o): return b"\x14" + u32b(o)
def k_sale(txid): return b"\x15" + txid
def k_transfer(tid, out): return b"\x16" + tid + bytes([1 if out else 2])
def k_voucher(v): return b"\x17" + v.encode()
def k_gift_card(card_hash): return b"\x25" + card_hash
def k_claim(cid): return b"\x1d" + cid
K_ALLOWANCE = b"\x1e"
def k_settlement(cid): return b"\x1f" + cid


def get_allowance(state):
    """Table 0x1E: checkpoint, covered, outstanding, allowance, recent [(height, points)]."""
    a = record(state, K_ALLOWANCE, lambda r: {"checkpoint": r.u64(), "covered": r.u64(), "outstanding": i64(r),
                                               "allowance": i64(r), "recent": [(r.u64(), i64(r)) for _ in range(r.count(4096))]})
    return a or {"checkpoint": 0, "covered": 0, "outstanding": 0, "allowance": 0, "recent": []}


def enc_allowance(a):
    return (b"\x01" + u64b(a["checkpoint"]) + u64b(a["covered"]) + i64b(a["outstanding"]) + i64b(a["allowance"])
            + u32b(len(a["recent"])) + b"".join(u64b(h) + i64b(p) for h, p in a["recent"]))


K_SETTINGS = b"\x18"

GIFT_CARD_LOAD_MAX = 10 ** 8        # §13.5 gift-card-load: amount 1-10^8 (S$1,000,000)
GIFT_CARD_BALANCE_MAX = 10 ** 10    # … and a card's balance + amount at most 10^10


def get_gift_card(state, card_hash):
    """Table 0x25 (version 1): member id (empty: anyone holding the code), balance, loaded
    total, redeemed total."""
    return record(state, k_gift_card(card_hash), lambda r: {"member": r.string(32), "balance": i64(r),
                                                             "loaded": i64(r), "redeemed": i64(r)})


def enc_gift_card(c):
    return b"\x01" + enc_str(c["member"]) + i64b(c["balance"]) + i64b(c["loaded"]) + i64b(c["redeemed"])


def voucher_card(state, voucher_id):
    """§13.5: a voucher whose id's SHA-256 is in `gift cards` is that gift card: (hash, record),
    else None."""
    card_hash = hashlib.sha256(voucher_id.encode()).digest()
    card = get_gift_card(state, card_hash)
    return None if card is None else (card_hash, card)


def move_gift_card(ctx, voucher_id, amount):
    """A voucher tender's effect (§13.5 sale, refund, void): a gift card's balance += amount and
    redeemed total -= amount (amount < 0 at a sale: it spends), and no `vouchers` entry; True when
    the voucher is a gift card."""
    found = voucher_card(ctx.state, voucher_id)
    if found is None:
        return False
    card_hash, card = found
    card["balance"] += amount
    card["redeemed"] -= amount
    ctx.state.put(k_gift_card(card_hash), enc_gift_card(card))
    return True


def record(state, key, parse):
    return versioned_record(state, key, lambda r, _: parse(r), (1,))


def versioned_record(state, key, parse, versions=(1, 2)):
    """A record of one of `versions` (§13.3: prices, books and sales also have a version 2);
    parse(reader, version)."""
    raw = state.get(key)
    if raw is None:
        return None
    r = Reader(raw)
    value = parse(r, read_version(r, "record", versions))
    r.finish()
    return value


EARNINGS = {1: "automatic", 2: "built-in-plus-rules", 3: "rules-only"}   # §13.2 configure versions 3 and 4
EARNING_CODES = {v: k for k, v in EARNINGS.items()}
RETURNS = {1: "proportional", 2: "re-priced"}                           # §13.2 configure versions 4 and 5
RETURNS_CODES = {v: k for k, v in RETURNS.items()}
REVIEW_MONTHS = range(1, 37)    # §13.2 configure version 5: tier review months 1-36 (0: no review, versions 1-4)


def read_settings(r, version):
    """The configure body after its version byte (§13.2); version 2 adds the earning choice,
    version 3 the earning mode as a u8 and the expiry rounding (never end of month), version 4
    the earning mode, any expiry rounding and the returns policy (always re-priced: versions
    1-3 are proportional returns), version 5 the earning mode, any expiry rounding, either
    returns policy and the tier review months (1-36; versions 1-4 have no review: 0)."""
    s = {"point_value": i64(r), "ppd": i64(r), "months": i64(r), "tender": r.boolean(), "rounding": r.boolean(),
         "earning": "automatic", "expiry": "month", "returns": "proportional", "review": 0}
    if version == 2:
        s["earning"] = "built-in-plus-rules" if r.boolean() else "rules-only"
    elif version in (3, 4, 5):
        earning = r.u8()
        if earning not in EARNINGS:
            raise ValueError(f"configure version {version}: earning must be 1, 2 or 3")
        s["earning"] = EARNINGS[earning]
        expiry = r.u8()
        if expiry not in ((1, 3, 4) if version == 3 else (1, 2, 3, 4)):
            raise ValueError(f"configure version {version}: expiry rounding {expiry}")
        s["expiry"] = EXPIRY_ROUNDINGS[expiry]
        if version == 4:
            returns = r.u8()
            if returns != 2:
                raise ValueError(f"configure version 4: returns {returns} (only 2, re-priced)")
            s["returns"] = RETURNS[returns]
        if version == 5:
            returns = r.u8()
            if returns not in RETURNS:
                raise ValueError(f"configure version 5: returns {returns} (1 proportional or 2 re-priced)")
            s["returns"] = RETURNS[returns]
            review = r.u8()
            if review not in REVIEW_MONTHS:   # 0 too: versions 1-4 are the encodings without a review
                raise ValueError(f"configure version 5: tier review months {review} (1-36)")
            s["review"] = review
    return s


def get_settings(state):
    s = versioned_record(state, K_SETTINGS, read_settings, (1, 2, 3, 4, 5))
    return s or {"point_value": 1, "ppd": 1, "months": 12, "tender": False, "rounding": True, "earning": "automatic",
                 "expiry": "month", "returns": "proportional", "review": 0}


def enc_settings(s):
    """The configure body of the one version §13.1 allows: 5 with a tier review, else 4 with
    re-priced returns, else 3 when the expiry rounding is not the end of the month, else 2
    when earning is not automatic, else 1."""
    automatic = s.get("earning", "automatic") == "automatic"
    expiry = s.get("expiry", "month")
    head = i64b(s["point_value"]) + i64b(s["ppd"]) + i64b(s["months"]) + bytes([s["tender"], s["rounding"]])
    code = {v: k for k, v in EXPIRY_ROUNDINGS.items()}[expiry]
    if s.get("review", 0) != 0:
        return bytes([5]) + head + bytes([EARNING_CODES[s.get("earning", "automatic")], code,
                                          RETURNS_CODES[s.get("returns", "proportional")], s["review"]])
    if s.get("returns", "proportional") == "re-priced":
        return bytes([4]) + head + bytes([EARNING_CODES[s.get("earning", "automatic")], code, 2])
    if expiry != "month":
        return bytes([3]) + head + bytes([EARNING_CODES[s.get("earning", "automatic")], code])
    return bytes([1 if automatic else 2]) + head + (b"" if automatic else bytes([s["earning"] == "built-in-plus-rules"]))


def get_price(state, o, sku):
    """(category, unit price, includes GST, active, tax category)."""
    def parse(r, version):
        category, unit, incl = r.string(64), i64(r), r.boolean()
        tax = read_tax_category(r) if version == 2 else STANDARD_RATED
        if version == 2 and tax == STANDARD_RATED:
            raise ValueError("version-2 price record of tax category 1")
        return category, unit, incl, r.boolean(), tax
    return versioned_record(state, k_price(o, sku), parse)


def enc_price(category, unit, incl, tax, active):
    if tax == STANDARD_RATED:
        return b"\x01" + enc_str(category) + i64b(unit) + bytes([incl, active])
    return b"\x02" + enc_str(category) + i64b(unit) + bytes([incl, tax, active])


def stock(state, o, sku):
    v = record(state, k_stock(o, sku), i64)
    return 0 if v is None else v


def get_member(state, m):
    """A members record (§13.3): version 2 adds the tier review period, `period` =
    {"start": day, "spend", "tier"} (None in a version-1 record)."""
    def parse(r, version):
        a = {"tier": r.u8(), "spend": i64(r)}
        a["lots"] = [[i64(r), i64(r)] for _ in range(r.count(120))]
        a["earned"], a["redeemed"], a["expired"] = i64(r), i64(r), i64(r)
        a["period"] = None
        if version == 2:
            a["period"] = {"start": i64(r), "spend": i64(r), "tier": r.u8()}
            if not 1 <= a["period"]["tier"] <= 5:
                raise ValueError(f"member record: period tier {a['period']['tier']} (1-5)")
        return a
    return versioned_record(state, k_member(m), parse)


def enc_member(a):
    """Version 2 exactly when the member has a tier review period (§13.3)."""
    period = a.get("period")
    tail = b"" if period is None else i64b(period["start"]) + i64b(period["spend"]) + bytes([period["tier"]])
    return (bytes([1 if period is None else 2]) + bytes([a["tier"]]) + i64b(a["spend"]) + u32b(len(a["lots"]))
            + b"".join(i64b(d) + i64b(p) for d, p in a["lots"]) + i64b(a["earned"]) + i64b(a["redeemed"])
            + i64b(a["expired"]) + tail)


def expire(a, day):
    while a["lots"] and a["lots"][0][0] < day:
        a["expired"] += a["lots"][0][1]
        a["lots"].pop(0)


def days_from_civil(year, month, day):
    """Days since 1970-01-01 of a proleptic Gregorian date, any year (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def civil_from_days(days):
    """(year, month, day) of a day number, any year."""
    days += 719_468
    era = days // 146_097
    doe = days - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


def add_months(x, n):
    """§13.3 Tier review `add(x, n)`: the day n months after day x — the same day of the
    month, or the month's last day when that month is shorter (as expiry rounding 1)."""
    year, month, day = civil_from_days(x)
    index = year * 12 + month - 1 + n
    y, m = index // 12, index % 12 + 1
    last = days_from_civil(y + (m == 12), m % 12 + 1, 1) - days_from_civil(y, m, 1)
    return days_from_civil(y, m, min(day, last))


def review(a, day, months):
    """§13.3 Tier review, applied right after dropping a member's expired lots, with the
    settings' tier review months (0: no review, the member's period, if any, kept as it is)."""
    if months == 0:
        return
    period = a.get("period")
    if period is None:
        a["period"] = {"start": day, "spend": 0, "tier": a["tier"]}
        return
    start = period["start"]
    if add_months(start, months) > day:
        return
    y0, m0, _ = civil_from_days(start)
    y1, m1, _ = civil_from_days(day)
    n = min(1200, max(1, ((y1 * 12 + m1) - (y0 * 12 + m0)) // months))
    while n > 1 and add_months(start, n * months) > day:
        n -= 1
    tier = a["tier"]
    if tier_for(period["spend"]) < tier:
        tier = max(1, tier - 1)
    tier = max(1, tier - (n - 1))
    a["tier"] = tier
    a["period"] = {"start": add_months(start, n * months), "spend": 0, "tier": tier}


def expire_and_review(a, ms, settings):
    """Drop the expired lots at t = ms, then the tier review (§13.3)."""
    expire(a, sg_day(ms))
    review(a, sg_day(ms), settings.get("review", 0))


def balance(a): return sum(p for _, p in a["lots"])


def credit(a, points, day):
    for lot in a["lots"]:
        if lot[0] == day:
            lot[1] += points
            return
    a["lots"].append([day, points])
    a["lots"].sort(key=lambda l: l[0])


def debit(a, points):
    while points > 0:
        take = min(points, a["lots"][0][1])
        a["lots"][0][1] -= take
        points -= take
        if a["lots"][0][1] == 0:
            a["lots"].pop(0)


def get_shift(state, o, till):
    return record(state, k_shift(o, till), lambda r: {
        "number": r.u64(), "last_receipt": r.u64(), "last_credit": r.u64(), "open": r.boolean(), "float": i64(r),
        "cash_sales": i64(r), "cash_refunds": i64(r), "cash_in": i64(r), "cash_out": i64(r), "sales": i64(r),
        "drawer_opens": i64(r)})


def enc_shift(s):
    return (b"\x01" + u64b(s["number"]) + u64b(s["last_receipt"]) + u64b(s["last_credit"]) + bytes([s["open"]])
            + b"".join(i64b(s[k]) for k in ("float", "cash_sales", "cash_refunds", "cash_in", "cash_out", "sales",
                                             "drawer_opens")))


def expected_cash(s):
    return s["float"] + s["cash_sales"] - s["cash_refunds"] + s["cash_in"] - s["cash_out"]


def get_books(state, o):
    b = versioned_record(state, k_books(o), lambda r, version: {"last_z": r.u64(), "open_shifts": r.u32(),
                                                                 "period": read_period(r, version)})
    return b or {"last_z": 0, "open_shifts": 0, "period": new_period()}


def enc_books(b):
    return bytes([period_version(b["period"])]) + u64b(b["last_z"]) + u32b(b["open_shifts"]) + enc_period(b["period"])


def get_sale(state, txid):
    """The sale record; each line is [SKU, quantity, amount, GST, refunded quantity,
    refunded amount, refunded GST, tax category]."""
    def parse(r, version):
        s = {"till": r.string(64), "shift": r.u64(), "member": r.string(32), "rate": r.u32(), "voided": r.boolean()}
        for k in ("total", "discount", "rounding", "earned", "redeemed", "reversed", "eligible"):
            s[k] = i64(r)
        s["lines"] = []
        for _ in range(r.count(500)):
            sku = r.string(64)
            tax = read_tax_category(r) if version == 2 else STANDARD_RATED
            s["lines"].append([sku] + [i64(r) for _ in range(6)] + [tax])
        if version == 2 and all(l[7] == STANDARD_RATED for l in s["lines"]):
            raise ValueError("version-2 sale record without a line of another tax category than 1")
        s["tenders"] = read_tenders(r)
        return s
    return versioned_record(state, k_sale(txid), parse)


def enc_sale(s):
    version = 2 if any(l[7] != STANDARD_RATED for l in s["lines"]) else 1
    out = (bytes([version]) + enc_str(s["till"]) + u64b(s["shift"]) + enc_str(s["member"]) + u32b(s["rate"])
           + bytes([s["voided"]]))
    out += b"".join(i64b(s[k]) for k in ("total", "discount", "rounding", "earned", "redeemed", "reversed", "eligible"))
    out += u32b(len(s["lines"])) + b"".join(enc_str(l[0]) + (bytes([l[7]]) if version == 2 else b"")
                                            + b"".join(i64b(v) for v in l[1:7]) for l in s["lines"])
    return out + enc_tenders(s["tenders"])


# --- §13.4 pricing ---------------------------------------------------------------------

def gst_rate(g, ms):
    """§13.4 step 3: the rate with the greatest effective date on or before the Singapore date."""
    date = sg_date(ms).isoformat()
    effective = [(day, bp) for day, bp in g["gst_rates"] if day <= date]
    if not effective:
        raise Reject(320, f"no GST rate for {date}")
    return max(effective)[1]


def money(value, what):
    """Every amount pricing computes must stay within ±10^12 cents (else 320)."""
    if abs(value) > MONEY_LIMIT:
        raise Reject(320, f"{what} {value} beyond ±{MONEY_LIMIT} cents")
    return value


def tax(amount, rate, inclusive):
    return halfup(amount * rate, 10_000 + rate) if inclusive else halfup(amount * rate, 10_000)


def price_sale(ctx, lines, member_id, redeem, training, tenders, codes=()):
    """The sale §13.4 computes (a dict like a decoded sale) for these inputs; `codes` are the
    promotion codes keyed in (none below sale version 5), checked in step 4."""
    state, o, settings = ctx.state, ctx.outlet, get_settings(ctx.state)
    if not 1 <= len(lines) <= 500:
        raise Reject(17, "lines")
    priced = []
    for sku, qty in lines:
        p = get_price(state, o, sku)
        if p is None or not p[3]:
            raise Reject(300, f"SKU {sku} not on the price list")
        if not 1 <= qty <= 100_000:
            raise Reject(17, "quantity")
        priced.append({"sku": sku, "category": p[0], "qty": qty, "unit": p[1], "incl": p[2], "tax": p[4],
                       "discounts": []})
    tier = None
    customer = rules_language.Customer()          # a guest
    if member_id:
        a = get_member(state, member_id)
        if a is None:
            raise Reject(308, "unknown member")
        expire_and_review(a, ctx.time, settings)     # step 2, and the tier review right after (§13.3)
        tier = a["tier"]
        multiplier = state.get(b"\x1c" + member_id.encode())
        customer = rules_language.Customer(member_id, True, tier, a["spend"], balance(a),
                                           10_000 if multiplier is None else struct.unpack(">q", multiplier)[0])
        if redeem > balance(a):
            raise Reject(310, "insufficient points")
    if redeem < 0:
        raise Reject(17, "negative redemption")
    if redeem > 0 and not member_id:
        raise Reject(308, "redemption without member")
    # §13.4 step 4's codes, checked right after the member and points checks of step 2
    coupons = check_codes(ctx, codes, [(source_hash, compiled(source_hash, source))
                                       for _, source_hash, source in active_rules(ctx.state, ctx.time)], member_id)
    for line in priced:
        if not (0 < len(line["sku"].encode()) <= 64 and len(line["category"].encode()) <= 64
                and 0 <= line["unit"] <= 100_000_000):
            raise Reject(320, "basket limits")
    if redeem and not (redeem <= 10 ** 9 and 1 <= settings["point_value"] <= 10_000):
        raise Reject(320, "redemption limits")
    computed = price_basket(ctx, settings, priced, member_id, customer, tier, redeem, training, tenders, codes=codes,
                            coupons=[c["campaign"] for _, _, c in coupons])
    computed["coupons"] = [(code, h) for code, h, _ in coupons]
    return computed


def price_basket(ctx, settings, priced, member_id, customer, tier, redeem, training, tenders, repricing=False,
                 codes=(), coupons=()):
    """§13.4 steps 3-9 for priced lines (SKU, category, qty, unit, incl, tax, discounts []):
    the computed sale. `customer` is what the rules see, `tier` the member's stored tier
    (None for a guest), `codes` the promotion codes they see (`has_code`), `coupons` the
    campaigns of the coupons (one per coupon, in the order keyed), `ctx` gives t,
    the outlet, the genesis and the state the rules and their counters and point rates are
    read from. With `repricing` (§13.5 refund, the kept basket): step 4's check of the codes
    and of the points the rules redeem against the balance are not made, and step 5 is a
    discount of min(redeem × point value, Σ net), never 320."""
    rate = gst_rate(ctx.g, ctx.time)
    gross = [money(l["unit"] * l["qty"], f"line {i + 1} gross") for i, l in enumerate(priced)]
    net = list(gross)
    # step 4: the deployed rules active at t (docs/CONTRACTS.md §4)
    effects = run_rules(ctx, priced, net, member_id, customer, codes, coupons)
    if not repricing and effects is not None and redeem > customer.points - effects["redeemed"]:
        raise Reject(310, "points redeemed beyond the balance less the rewards' points")
    points_tender = 0
    if redeem:
        if repricing:
            value = min(redeem * settings["point_value"], sum(net))
        else:
            value = money(redeem * settings["point_value"], "points value")
        if settings["tender"]:
            points_tender = value
        else:
            if not repricing and value > money(sum(net), "net"):
                raise Reject(320, "points worth more than left to pay")
            for i, part in enumerate(allocate(value, net)):
                if part > 0:
                    priced[i]["discounts"].append(("loyalty-points", part))
                    net[i] -= part
    # step 6: only standard-rated lines bear GST; the others have 0 and take no part
    taxes = [0] * len(priced)
    standard = [i for i in range(len(priced)) if priced[i]["tax"] == STANDARD_RATED]
    if ctx.g["gst_method"] == 1:
        for i in standard:
            taxes[i] = tax(net[i], rate, priced[i]["incl"])
    else:
        for inclusive in (True, False):
            idx = [i for i in standard if priced[i]["incl"] == inclusive]
            if idx:
                taxable = money(sum(net[i] for i in idx), "taxable")
                parts = allocate(tax(taxable, rate, inclusive), [net[i] for i in idx])
                for position, i in enumerate(idx):
                    taxes[i] = parts[position]
    totals = [net[i] if priced[i]["incl"] else money(net[i] + taxes[i], f"line {i + 1} total")
              for i in range(len(priced))]
    total = money(sum(totals), "total")
    if points_tender > total:
        raise Reject(320, "points tender over total")
    due = total - points_tender
    rounding = 0
    if settings["rounding"] and any(t["kind"] == 1 for t in tenders):
        m = due % 5
        rounding = -m if m <= 2 else 5 - m
    eligible = due + rounding
    earned = 0
    if tier is not None and not training:    # step 9: where the settings say points come from
        built_in = (eligible // 100) * settings["ppd"] * TIER_MULTIPLIER[tier] // 10_000 if eligible > 0 else 0
        ruled = effects["points"] if effects is not None else 0
        if settings["earning"] == "automatic":
            earned = ruled if effects is not None else built_in
        elif settings["earning"] == "built-in-plus-rules":
            earned = built_in + ruled
        else:
            earned = ruled
    for i, line in enumerate(priced):
        line["net"], line["gst"] = net[i], taxes[i]
    money(sum(gross), "subtotal")
    return {"lines": priced, "rate": rate, "subtotal": sum(gross),
            "discount": sum(a for l in priced for _, a in l["discounts"]), "gst": sum(taxes), "total": total,
            "rounding": rounding, "earned": earned, "points_tender": points_tender, "eligible": eligible,
            "rules": effects or {"points": 0, "redeemed": 0, "tier": 0, "increments": [], "skipped": [],
                                 "applied": []},
            "record": rule_record(effects, member_id, training),
            # §13.4 step 4's skip reasons: none in training or without rules; the kept basket
            # of a re-priced return (§13.5 refund) records none either
            "skipped": [] if effects is None or training or repricing else list(effects["skipped"]),
            "customer": customer}


def rule_record(effects, member_id, training):
    """§13.4 step 4: the sale's rule record, or None (training, no rules, nothing to record)."""
    if effects is None or training:
        return None
    moves = []
    for rule_id, counter, member, by in effects["increments"]:
        for i, (r, c, m, b) in enumerate(moves):
            if (r, c, m) == (rule_id, counter, member):
                if not -2 ** 63 <= b + by < 2 ** 63:
                    raise Reject(320, "counter move overflows")
                moves[i] = (r, c, m, b + by)
                break
        else:
            if len(counter.encode()) > 64:
                raise Reject(320, "counter name over 64 bytes")
            if len(moves) == 256:
                raise Reject(320, "more than 256 counters moved")
            moves.append((rule_id, counter, member, by))
    record = {"reward": effects["redeemed"] if member_id else 0, "tier": effects["tier"] if member_id else 0,
              "counters": moves}
    return None if record["reward"] == 0 and record["tier"] == 0 and not moves else record


# --- §13.4 step 4: deployed rules ------------------------------------------------------

K_RULE_INDEX = b"\x19"
_compiled = {}                     # source hash → compiled rule (compiling is deterministic)
_codes = {}                        # source hash → the codes its rule names with has_code


def k_rule(rule_id): return b"\x19" + rule_id.encode()
def k_counter(rule_id, counter, member): return b"\x1a" + rule_id.encode() + b"\x00" + counter.encode() + b"\x00" + member.encode()


def rule_ids(state):
    raw = state.get(K_RULE_INDEX)
    if raw is None:
        return []
    r = Reader(raw)
    ids = [r.string(64) for _ in range(r.count(1024))]
    r.finish()
    return ids


def get_rule(state, rule_id):
    """(version, active from, source hash, source) of a deployed rule, or None."""
    raw = state.get(k_rule(rule_id))
    if raw is None:
        return None
    r = Reader(raw)
    read_version(r, "rule record")
    out = (i64(r), r.u64(), r.take(32), r.string(65_536))
    r.finish()
    return out


def compiled(source_hash, source):
    if source_hash not in _compiled:
        if len(_compiled) >= 1024:
            _compiled.clear()
        _compiled[source_hash] = rules_language.compile_rule(source)
    return _compiled[source_hash]


def deploy_rule(ctx, source, active_from):
    """§13.5 deploy-rule (admin): the source compiles; a deployed id needs a higher version."""
    require(ctx, (ROLE_ADMIN,), "rule deployment")
    try:
        rule = compiled(hashlib.sha256(source.encode()).digest(), source)
    except rules_language.ContractError as error:
        raise Reject(321, f"the rule does not deploy: {error}")
    existing = get_rule(ctx.state, rule.id)
    if existing is not None and existing[0] >= rule.rule.version:
        raise Reject(321, f"rule {rule.id} version {existing[0]} is deployed already")
    ids = rule_ids(ctx.state)
    if rule.id not in ids:
        if len(ids) >= 1024:
            raise Reject(321, "1024 rules are deployed already")
        ids = sorted(ids + [rule.id], key=lambda i: i.encode())
    ctx.state.put(K_RULE_INDEX, u32b(len(ids)) + b"".join(enc_str(i) for i in ids))
    ctx.state.put(k_rule(rule.id), b"\x01" + i64b(rule.rule.version) + u64b(active_from)
                  + hashlib.sha256(source.encode()).digest() + enc_str(source))


def active_rules(state, time):
    """§13.4 step 4: the deployed rules whose active-from ≤ t, in the order of the id list:
    [(rule id, source hash, source)]."""
    out = []
    for rule_id in rule_ids(state):
        record = get_rule(state, rule_id)
        if record is not None and record[1] <= time:
            out.append((rule_id, record[2], record[3]))
    return out


def counter_value(state, rule_id, counter, member):
    raw = state.get(k_counter(rule_id, counter, member))
    return 0 if raw is None else struct.unpack(">q", raw)[0]


# --- §13.3 rule sets, rule sources and sale pricing: re-priced returns ------------------

def k_rule_set(h): return b"\x20" + h
def k_rule_source(source_hash): return b"\x21" + source_hash
def k_sale_pricing(txid): return b"\x22" + txid


def enc_rule_set(entries):
    """A `rule sets` value: list(1024) of (rule id, source hash), no version byte."""
    return u32b(len(entries)) + b"".join(enc_str(rule_id) + source_hash for rule_id, source_hash in entries)


def get_rule_set(state, h):
    raw = state.get(k_rule_set(h))
    if raw is None:
        return None
    r = Reader(raw)
    out = [(r.string(64), r.take(32)) for _ in range(r.count(1024))]
    r.finish()
    return out


def get_rule_source(state, source_hash):
    raw = state.get(k_rule_source(source_hash))
    if raw is None:
        return None
    r = Reader(raw)
    out = r.string(65_536)
    r.finish()
    return out


def read_sale_pricing(r, version=1):
    """A `sale pricing` record after its version byte (§13.3); version 2 adds the sale's
    promotion codes (at least one)."""
    p = {"time": i64(r), "rule_set": r.take(32), "tier": r.u8(), "spend": i64(r), "balance": i64(r),
         "multiplier": i64(r)}
    if p["tier"] > 5:
        raise ValueError("sale pricing: tier above 5")
    earning = r.u8()
    if earning not in EARNINGS:
        raise ValueError(f"sale pricing: earning {earning}")
    p["earning"], p["ppd"], p["point_value"] = EARNINGS[earning], i64(r), i64(r)
    p["lines"] = [(r.string(64), i64(r), r.boolean()) for _ in range(r.count(500))]
    p["rates"] = [(r.string(64), i64(r)) for _ in range(r.count(256))]
    p["counters"] = [(r.string(64), r.string(64), r.string(32), i64(r)) for _ in range(r.count(256))]
    p["moves"] = [(r.string(64), r.string(64), r.string(32), i64(r)) for _ in range(r.count(256))]
    p["codes"] = []
    if version == 2:
        p["codes"] = read_codes(r)
        if not p["codes"]:
            raise ValueError("version-2 sale pricing record without a promotion code")
    return p


def enc_sale_pricing(p):
    def quads(entries):
        return u32b(len(entries)) + b"".join(enc_str(a) + enc_str(b) + enc_str(c) + i64b(v) for a, b, c, v in entries)
    codes = p.get("codes") or []
    return (bytes([2 if codes else 1]) + i64b(p["time"]) + p["rule_set"] + bytes([p["tier"]]) + i64b(p["spend"])
            + i64b(p["balance"]) + i64b(p["multiplier"]) + bytes([EARNING_CODES[p["earning"]]]) + i64b(p["ppd"])
            + i64b(p["point_value"])
            + u32b(len(p["lines"])) + b"".join(enc_str(c) + i64b(u) + bytes([incl]) for c, u, incl in p["lines"])
            + u32b(len(p["rates"])) + b"".join(enc_str(c) + i64b(bp) for c, bp in p["rates"])
            + quads(p["counters"]) + quads(p["moves"]) + (enc_codes(codes) if codes else b""))


def get_sale_pricing(state, txid):
    return versioned_record(state, k_sale_pricing(txid), read_sale_pricing, (1, 2))


def sale_pricing_record(ctx, s, computed, settings, active):
    """§13.5 sale, *Pricing record*: the record of a sale applied under re-priced returns
    with `active` [(rule id, source hash, source)] its active rules, read before the sale's
    effects; returns (record, rule set entries, its key h, [(source hash, source)]). The
    limit of 256 counters is checked by the caller, before the sale's effects."""
    entries = [(rule_id, source_hash) for rule_id, source_hash, _ in active]
    h = hashlib.sha256(enc_rule_set(entries)).digest()
    customer = computed["customer"]
    member = s["member"]
    state = ctx.state
    rates = []
    for category in sorted({line["category"] for line in s["lines"]}, key=lambda c: c.encode()):
        raw = state.get(b"\x1b" + category.encode())
        if raw is not None:
            rates.append((category, struct.unpack(">q", raw)[0]))
    counters = {}
    for _, source_hash, source in active:
        rule = compiled(source_hash, source)
        declared = ([(name, member) for name, _, _ in rule.rule.member_counters]
                    + [(name, "") for name, _, _ in rule.rule.budgets])
        for name, counter_member in declared:
            key = k_counter(rule.id, name, counter_member)
            value = counter_value(state, rule.id, name, counter_member)
            if value != 0:
                counters[key] = (rule.id, name, counter_member, value)
    record = {"time": ctx.time, "rule_set": h,
              "tier": customer.tier if member else 0, "spend": customer.lifetime_spend if member else 0,
              "balance": customer.points if member else 0, "multiplier": customer.multiplier if member else 0,
              "earning": settings["earning"], "ppd": settings["ppd"],
              "point_value": 0 if settings["tender"] else settings["point_value"],
              "lines": [(line["category"], line["unit"], line["incl"]) for line in s["lines"]],
              "rates": rates, "counters": [counters[key] for key in sorted(counters)],
              "moves": list(computed["record"]["counters"]) if computed["record"] is not None else [],
              "codes": list(s["codes"])}
    return record, entries, h, [(source_hash, source) for _, source_hash, source in active]


class SnapshotState(dict):
    """A read-only state holding exactly a sale pricing record's snapshot (like the Swift
    WhatIfState): its rules, deployed and active from 0, its counters and point rates.
    Pricing the kept basket against it reads nothing of the live state."""

    def put(self, key, value):
        raise AssertionError("pricing wrote to a snapshot")


def snapshot_state(state, pricing):
    entries = get_rule_set(state, pricing["rule_set"])
    if entries is None:
        raise ValueError("sale pricing: its rule set is absent")
    snapshot = SnapshotState()
    snapshot[K_RULE_INDEX] = u32b(len(entries)) + b"".join(enc_str(rule_id) for rule_id, _ in entries)
    for rule_id, source_hash in entries:
        source = get_rule_source(state, source_hash)
        if source is None:
            raise ValueError(f"sale pricing: the source of rule {rule_id} is absent")
        version = compiled(source_hash, source).rule.version
        snapshot[k_rule(rule_id)] = b"\x01" + i64b(version) + u64b(0) + source_hash + enc_str(source)
    for category, bp in pricing["rates"]:
        snapshot[b"\x1b" + category.encode()] = i64b(bp)
    for rule_id, counter, member, value in pricing["counters"]:
        snapshot[k_counter(rule_id, counter, member)] = i64b(value)
    return snapshot


def reprice_return(ctx, txid, original, pricing, credited):
    """§13.5 refund, *Re-pricing*, after this refund's lines were counted in `original` (the
    record of the sale `txid`): returns (adjustments, E, K) with `credited` = c, the sum of the
    refund lines' amounts."""
    lines = original["lines"]
    if len(pricing["lines"]) != len(lines):
        raise ValueError("sale pricing: not one line per sale line")
    kept = [i for i, l in enumerate(lines) if l[1] - l[4] > 0]
    if not kept:
        return [], 0, []
    member_id = original["member"]
    snapshot = Context(snapshot_state(ctx.state, pricing), ctx.g, ctx.outlet, ctx.signer, ctx.signer_key, ctx.txid,
                       pricing["time"])
    priced = [{"sku": lines[i][0], "category": pricing["lines"][i][0], "qty": lines[i][1] - lines[i][4],
               "unit": pricing["lines"][i][1], "incl": pricing["lines"][i][2], "tax": lines[i][7], "discounts": []}
              for i in kept]
    tier, customer = None, rules_language.Customer()
    if member_id:
        tier = pricing["tier"]
        customer = rules_language.Customer(member_id, True, tier, pricing["spend"], pricing["balance"],
                                           pricing["multiplier"])
    settings = {"point_value": pricing["point_value"], "ppd": pricing["ppd"], "tender": False, "rounding": False,
                "earning": pricing["earning"]}
    redeem = original["redeemed"] if pricing["point_value"] > 0 and original["redeemed"] > 0 else 0
    # the record's codes (none in version 1), without step 4's check of them; as coupons the
    # campaigns of those whose coupon the sale used (read from the live state), in the order keyed
    coupons = []
    for code in pricing["codes"]:
        c = get_coupon(ctx.state, code_hash(code))
        if c is not None and c["used_by"] == txid:
            coupons.append(c["campaign"])
    computed = price_basket(snapshot, settings, priced, member_id, customer, tier, redeem, False, [], repricing=True,
                            codes=pricing["codes"], coupons=coupons)
    deltas = []
    for position, i in enumerate(kept):
        line = computed["lines"][position]
        r_i = line["net"] if line["incl"] else line["net"] + line["gst"]
        m_i, mg_i = lines[i][2] - lines[i][5], lines[i][3] - lines[i][6]
        deltas.append((i, r_i - m_i, line["gst"] - mg_i))
    if sum(d for _, d, _ in deltas) > credited:
        # keeping the rest would cost more than the returned units credit: the positive
        # deltas share what the credit and the negative ones leave, by largest remainder
        positive = [(i, d, dg) for i, d, dg in deltas if d > 0]
        share = credited - sum(d for _, d, _ in deltas if d < 0)
        capped = {i: (part, halfup(dg * part, d))
                  for (i, d, dg), part in zip(positive, allocate(share, [d for _, d, _ in positive]))}
        deltas = [(i,) + capped[i] if i in capped else (i, d, dg) for i, d, dg in deltas]
    adjustments = [(i, d, dg) for i, d, dg in deltas if d != 0 or dg != 0]
    moves = computed["record"]["counters"] if computed["record"] is not None else []
    return adjustments, computed["earned"], list(moves)


# --- §13.3 coupons (0x23) and sale coupons (0x24): single-use and next-order coupons ---------

COUPON_HASHES_MAX = 1000       # §13.2 issue-coupons: code hashes list(1000) of fixed(32)
COUPON_DAY_MAX = 1_000_000     # §13.5 issue-coupons: valid from and until, in days
NOT_USED = b"\0" * 32          # a coupon's used by while unused


def k_coupon(code_hash): return b"\x23" + code_hash
def k_sale_coupons(txid): return b"\x24" + txid


def code_hash(code):
    """A coupon's `coupons` key: SHA-256 of the code's UTF-8 bytes."""
    return hashlib.sha256(code.encode()).digest()


def get_coupon(state, h):
    """The `coupons` record under the code hash `h` (§13.3), or None: campaign, member id,
    valid from, valid until (days), issued by, used by."""
    return record(state, k_coupon(h), lambda r: {
        "campaign": r.string(32), "member": r.string(32), "from": i64(r), "until": i64(r), "issued_by": r.take(32),
        "used_by": r.take(32)})


def enc_coupon(c):
    return (b"\x01" + enc_str(c["campaign"]) + enc_str(c["member"]) + i64b(c["from"]) + i64b(c["until"])
            + c["issued_by"] + c["used_by"])


def issued_code(txid, k):
    """§13.5 sale *Coupons*: the code of the k-th coupon (from 0) a sale issues: "C" and the
    first 12 characters of the upper-case hex of SHA-256(transaction id ‖ u32 k)."""
    return "C" + hashlib.sha256(txid + u32b(k)).hexdigest().upper()[:12]


def get_sale_coupons(state, txid):
    """`sale coupons[txid]` (§13.3, no version byte): the codes the sale used, in the order
    used; None when absent."""
    raw = state.get(k_sale_coupons(txid))
    if raw is None:
        return None
    r = Reader(raw)
    out = read_codes(r)
    r.finish()
    return out


def issue_coupons(ctx, b):
    """§13.5 issue-coupons (operator or admin)."""
    require(ctx, (ROLE_OPERATOR, ROLE_ADMIN), "coupon issue")
    if not printable(b["campaign"], 1, 32):
        raise Reject(17, f"coupon campaign {b['campaign']!r}: 1-32 bytes, each 0x21-0x7E")
    if b["member"] and get_member(ctx.state, b["member"]) is None:
        raise Reject(308, "coupons for an unknown member")
    if not 0 <= b["from"] <= b["until"] <= COUPON_DAY_MAX:
        raise Reject(17, f"coupon validity {b['from']}...{b['until']}: 0 <= from <= until <= {COUPON_DAY_MAX}")
    if not 1 <= len(b["hashes"]) <= COUPON_HASHES_MAX:
        raise Reject(17, "no coupon hashes")
    seen = set()
    for h in b["hashes"]:
        if h in seen:
            raise Reject(316, f"coupon hash {h.hex()} twice in the body")
        seen.add(h)
        if ctx.state.get(k_coupon(h)) is not None:
            raise Reject(316, f"coupon hash {h.hex()} issued already")
    for h in b["hashes"]:
        ctx.state.put(k_coupon(h), enc_coupon({"campaign": b["campaign"], "member": b["member"], "from": b["from"],
                                               "until": b["until"], "issued_by": ctx.txid, "used_by": NOT_USED}))


def sale_coupons(ctx, s, coupons, applied):
    """§13.5 sale *Coupons* (not for a training sale): in the order the rules ran, each applied
    `coupon "C"` rule uses the first of the sale's coupon codes (in the order keyed) of campaign
    C not yet used by this sale; each applied `issues "N" days D` rule issues the sale's k-th
    coupon, written only when absent (k counts either way); after all the rules, the codes used
    (if any) in the order used are `sale coupons[transaction id]`. `coupons` are the sale's
    coupon codes [(code, hash)] as §13.4 step 4 checked them; `applied` [(coupon, issues)] of
    the applied rules in run order."""
    day = sg_day(ctx.time)
    k = 0
    used = []
    for campaign, issues in applied:
        if campaign is not None:
            for code, h in coupons:
                c = get_coupon(ctx.state, h)
                if c["campaign"].encode() == campaign.encode() and c["used_by"] != ctx.txid:
                    c["used_by"] = ctx.txid
                    ctx.state.put(k_coupon(h), enc_coupon(c))
                    used.append(code)
                    break
            else:
                raise AssertionError(f"an applied coupon rule of campaign {campaign!r} found no coupon")
        if issues is not None:
            name, days = issues
            key = k_coupon(code_hash(issued_code(ctx.txid, k)))
            if ctx.state.get(key) is None:
                ctx.state.put(key, enc_coupon({"campaign": name, "member": s["member"], "from": day,
                                               "until": day + days, "issued_by": ctx.txid, "used_by": NOT_USED}))
            k += 1
    if used:
        ctx.state.put(k_sale_coupons(ctx.txid), enc_codes(used))


def void_coupons(ctx, original):
    """§13.5 void, *Coupons*: each code of `sale coupons[original]` (if present) whose coupon
    has used by = the sale becomes unused, and that record is deleted; then, for k = 0, 1, …
    up to the first coupon that is absent or not issued by the sale, the sale's k-th issued
    coupon is deleted if unused."""
    used = get_sale_coupons(ctx.state, original)
    if used is not None:
        for code in used:
            c = get_coupon(ctx.state, code_hash(code))
            if c is not None and c["used_by"] == original:
                c["used_by"] = NOT_USED
                ctx.state.put(k_coupon(code_hash(code)), enc_coupon(c))
        ctx.state.put(k_sale_coupons(original), None)
    k = 0
    while True:
        key = k_coupon(code_hash(issued_code(original, k)))
        c = get_coupon(ctx.state, key[1:])
        if c is None or c["issued_by"] != original:
            break
        if c["used_by"] == NOT_USED:
            ctx.state.put(key, None)
        k += 1


def rule_codes(source_hash, rule):
    """The promotion codes a deployed rule names with `has_code` (docs/CONTRACTS.md: string
    literals, so known without running it)."""
    if source_hash not in _codes:
        if len(_codes) >= 1024:
            _codes.clear()
        _codes[source_hash] = rules_language._deep(rules_checker.codes, rule.rule)
    return _codes[source_hash]


def check_codes(ctx, codes, active, member_id):
    """§13.4 step 4's codes check (made right after step 2's member and points checks): each
    code 1-32 bytes, each byte 0x21-0x7E, no code twice (else 17); then, in the order keyed,
    each is a promotion code — named by a `has_code` of at least one active rule — or else a
    coupon: `coupons[SHA-256(code)]` exists (else 17), is unused (else 316), day(t) lies in its
    validity (else 17) and its member id is empty or the sale's (else 17). `active` is
    [(source hash, compiled rule)]. Returns the coupon codes [(code, hash, record)] in the
    order keyed."""
    seen = set()
    for code in codes:
        raw = code.encode()
        if not rules_checker.is_code(code):
            raise Reject(17, f"code {code!r}: 1-32 bytes, each 0x21-0x7E")
        if raw in seen:
            raise Reject(17, f"code {code!r} keyed in twice")
        seen.add(raw)
    named = set()
    for source_hash, rule in active:
        named.update(code.encode() for code in rule_codes(source_hash, rule))
    coupons = []
    day = sg_day(ctx.time)
    for code in codes:
        if code.encode() in named:
            continue
        h = code_hash(code)
        c = get_coupon(ctx.state, h)
        if c is None:
            raise Reject(17, f"code {code!r}: no active rule accepts it (has_code) and no coupon has it")
        if c["used_by"] != NOT_USED:
            raise Reject(316, f"coupon {code!r} used already (by {c['used_by'].hex()})")
        if not c["from"] <= day <= c["until"]:
            raise Reject(17, f"coupon {code!r} valid on days {c['from']}...{c['until']}, not on day {day}")
        if c["member"] and c["member"].encode() != member_id.encode():
            raise Reject(17, f"coupon {code!r} is member {c['member']!r}'s")
        coupons.append((code, h, c))
    return coupons


def run_rules(ctx, priced, net, member_id, customer, codes=(), coupons=()):
    """Runs the rules active at t on the basket (net = gross), the promotion codes and the
    coupons' campaigns (one per coupon, in the order keyed) and puts their discounts on the
    lines (appending to ``priced[i]["discounts"]``, lowering ``net``); returns the points,
    redeemed points, tier, counter increments, skip reasons and the applied rules' coupon
    headers in run order [(coupon campaign or None, (campaign, days) or None)], or None when
    no rule is active. The codes were checked before (§13.4 step 4)."""
    state = ctx.state
    active = [compiled(source_hash, source) for _, source_hash, source in active_rules(state, ctx.time)]
    if not active:
        return None
    counters = {}
    for rule in active:
        for name, _, _ in rule.rule.member_counters:
            counters.setdefault(rule.id, {})[name] = counter_value(state, rule.id, name, customer.id)
        for name, _, _ in rule.rule.budgets:
            counters.setdefault(rule.id, {})[name] = counter_value(state, rule.id, name, "")
    rate = gst_rate(ctx.g, ctx.time)              # step 3: what a standard-rated line bears
    rates = {}
    for category in sorted({line["category"] for line in priced}):
        raw = state.get(b"\x1b" + category.encode())
        if raw is not None:
            rates[category] = struct.unpack(">q", raw)[0]
    inp = rules_language.Input(
        lines=[rules_language.Line(l["sku"], l["category"], l["qty"], l["unit"], net[i], TAX_CODES[l["tax"]], l["incl"], rate)
               for i, l in enumerate(priced)],
        customer=customer, time_ms=ctx.time, outlet=ctx.outlet, point_rates=rates, codes=list(codes),
        coupons=list(coupons))
    effects, outcomes = rules_language.evaluate_set(active, inp, counters)
    for rule_id, outcome in outcomes:
        if outcome.status == "failed" and outcome.error.code >= 1000:
            raise Reject(321, f"rule {rule_id} refused the basket with its code {outcome.error.code}")
    by_id = {rule.id: rule.rule for rule in active}
    out = {"points": 0, "redeemed": 0, "tier": 0, "increments": [], "skipped": skip_reasons(outcomes),
           "applied": [(by_id[rule_id].coupon, by_id[rule_id].issues) for rule_id, outcome in outcomes
                       if outcome.status == "applied"]}
    per_member = {rule.id: {name for name, _, _ in rule.rule.member_counters} for rule in active}
    for rule_id, effect in effects:
        kind = effect[0]
        if kind == "line_discount":
            line, amount = effect[1], money(effect[2], "line discount")
            priced[line]["discounts"].append((rule_id, amount))
            net[line] -= amount
        elif kind == "basket_discount":
            for i, part in enumerate(allocate(money(effect[1], "basket discount"), net)):
                if part > 0:
                    priced[i]["discounts"].append((rule_id, part))
                    net[i] -= part
        elif kind == "award_points":
            out["points"] += effect[1]
            if out["points"] > 10 ** 9:
                raise Reject(320, "the rules award more than 10^9 points")
        elif kind == "redeem_points":
            out["redeemed"] += effect[1]
            if out["redeemed"] > 10 ** 9:
                raise Reject(320, "the rules redeem more than 10^9 points")
        elif kind == "set_tier":
            out["tier"] = max(out["tier"], effect[1])
        else:
            out["increments"].append((rule_id, effect[1], member_id if effect[1] in per_member[rule_id] else "", effect[2]))
    for i, line in enumerate(priced):
        if len(line["discounts"]) > 8:
            raise Reject(320, f"line {i + 1} has more than 8 discounts")
        if any(amount <= 0 for _, amount in line["discounts"]) or net[i] < 0:
            raise Reject(320, f"line {i + 1}: a discount of 0 or below, or more than the line")
    return out


SKIP_REASONS_MAX = 64          # §13.2 sale version 4: skip reasons list(64)
SKIP_REASON_BYTES = 128        # … of (rule id string(64) ‖ reason string(128))


def cut_utf8(text, limit):
    """The longest prefix of `text` of at most `limit` UTF-8 bytes that ends on a whole character."""
    raw = text.encode()
    if len(raw) <= limit:
        return text
    end = limit
    while end > 0 and raw[end] & 0xC0 == 0x80:   # raw[end] continues the character cut in two
        end -= 1
    return raw[:end].decode()


def skip_reasons(outcomes):
    """§13.4 step 4, *Skip reasons*: for each rule whose run was skipped with a reason
    (`skip("…")`), in the order the rules ran, (rule id, the reason cut to 128 bytes on a
    whole UTF-8 character); the first 64. A plain `skip` and a rule outside its window carry
    no reason and give none."""
    out = []
    for rule_id, outcome in outcomes:
        if outcome.status == "skipped" and outcome.reason is not None:
            out.append((rule_id, cut_utf8(outcome.reason, SKIP_REASON_BYTES)))
    return out[:SKIP_REASONS_MAX]


def sale_version(s):
    """§13.1: the one version of a sale body (decoded or computed): 6 with lots, else 5 with a
    promotion code, else 4 with a skip reason, else 3 with a rule record (not empty), else 2
    with a line of another tax category than 1, else 1."""
    if s.get("lots"):
        return 6
    if s.get("codes"):
        return 5
    if s.get("skipped"):
        return 4
    if s.get("record") is not None:
        return 3
    return 2 if any(l["tax"] != STANDARD_RATED for l in s["lines"]) else 1


def enc_sale_body(s):
    """A sale body (§13.2) of the version §13.1 gives it, from a decoded sale or from a
    computed one merged with its inputs (receipt, training, member, redeemed, tenders, codes).
    A version-4 or -5 sale without a rule record carries an empty one (0, 0, no moves); a
    version-5 sale carries its skip list even when empty, then its codes."""
    version = sale_version(s)
    out = bytes([version]) + u64b(s["receipt"]) + bytes([1 if s["training"] else 0]) + enc_str(s["member"])
    out += u32b(len(s["lines"]))
    for l in s["lines"]:
        out += (enc_str(l["sku"]) + enc_str(l["category"]) + i64b(l["qty"]) + i64b(l["unit"])
                + bytes([1 if l["incl"] else 0]) + (bytes([l["tax"]]) if version >= 2 else b"")
                + u32b(len(l["discounts"])) + b"".join(enc_str(rule) + i64b(a) for rule, a in l["discounts"])
                + i64b(l["net"]) + i64b(l["gst"]))
    out += u32b(s["rate"]) + b"".join(i64b(s[k]) for k in ("subtotal", "discount", "gst", "total", "rounding",
                                                          "redeemed", "earned"))
    out += enc_tenders(s["tenders"])
    if version >= 3:
        record = s.get("record") or {"reward": 0, "tier": 0, "counters": []}
        out += (i64b(record["reward"]) + bytes([record["tier"]]) + u32b(len(record["counters"]))
                + b"".join(enc_str(rule) + enc_str(c) + enc_str(m) + i64b(by) for rule, c, m, by in record["counters"]))
    if version >= 4:
        out += u32b(len(s["skipped"])) + b"".join(enc_str(rule) + enc_str(reason) for rule, reason in s["skipped"])
    if version >= 5:
        out += enc_codes(s["codes"])
    if version == 6:
        out += lots.enc_lots(s["lots"])
    return out


def computed_sale_body(s, computed):
    """The body §13.4 prices for the inputs of the sale `s` (its receipt, training flag,
    member, lines' SKUs and quantities, points redeemed, tenders and promotion codes),
    encoded (§13.1)."""
    return enc_sale_body(dict(computed, receipt=s["receipt"], training=s["training"], member=s["member"],
                              redeemed=s["redeemed"], tenders=s["tenders"], codes=list(s.get("codes", [])),
                              lots=list(s.get("lots", []))))


def compare_sale(recorded, computed):
    """§13.5 sale: every recorded field equals the computed one; the first difference is reported."""
    if len(recorded["lines"]) != len(computed["lines"]):
        raise Reject(302, "line count differs from the pricing")
    for number, (mine, theirs) in enumerate(zip(recorded["lines"], computed["lines"]), 1):
        label = f"line {number} ({mine['sku']})"
        if ((mine["unit"], mine["category"], mine["incl"], mine["tax"])
                != (theirs["unit"], theirs["category"], theirs["incl"], theirs["tax"])):
            raise Reject(301, f"{label}: recorded price {mine['unit']} in {mine['category']!r} "
                              f"(includes GST {mine['incl']}, tax category {mine['tax']}), the price list says "
                              f"{theirs['unit']} in {theirs['category']!r} (includes GST {theirs['incl']}, "
                              f"tax category {theirs['tax']})")
        if (mine["net"], mine["gst"], mine["discounts"]) != (theirs["net"], theirs["gst"], theirs["discounts"]):
            raise Reject(302, f"{label}: recorded net {mine['net']} GST {mine['gst']} discounts {mine['discounts']}; "
                              f"pricing gives {theirs['net']} {theirs['gst']} {theirs['discounts']}")
    for field in ("rate", "subtotal", "discount", "gst", "total", "rounding", "earned", "record", "skipped"):
        if recorded[field] != computed[field]:
            raise Reject(302, f"{field}: recorded {recorded[field]}, pricing gives {computed[field]}")


# --- §13.5 rules -------------------------------------------------------------------------

class Context:
    def __init__(self, state, g, outlet, signer, signer_key, txid, time):
        self.state, self.g, self.outlet, self.signer = state, g, outlet, signer
        self.signer_key, self.txid, self.time = signer_key, txid, time


def require(ctx, roles, what):
    if ctx.signer["role"] not in roles:
        raise Reject(10, f"{what} by a role-{ctx.signer['role']} key")


def positive(value, hi=MONEY_LIMIT):
    if not 0 < value <= hi:
        raise Reject(17, f"{value} not in 1...{hi}")


def text(value, lo, hi):
    if not text_ok(value, lo, hi):
        raise Reject(17, f"text {value!r} not {lo}...{hi} bytes without control characters")


def open_shift(ctx):
    s = get_shift(ctx.state, ctx.outlet, ctx.signer["principal"])
    if s is None or not s["open"]:
        raise Reject(304, "shift not open")
    return s


def change_stock(ctx, sku, delta):
    value = stock(ctx.state, ctx.outlet, sku) + delta
    if abs(value) > 10 ** 10:
        raise Reject(17, "stock out of range")
    ctx.state.put(k_stock(ctx.outlet, sku), b"\x01" + i64b(value))


def check_tenders(ctx, tenders, payable, redeemed, points_tender, settings, member="", spending=True):
    """§13.5 sale's tender checks. `member` is the sale's member id (a refund: its original
    sale's); `spending` is False for a refund, whose gift-card tenders are not held to the card's
    balance (the amount goes back onto the card)."""
    if not tenders and payable != 0:
        raise Reject(306, "no tenders")
    total, vouchers, points = 0, [], 0
    for t in tenders:
        k = t["kind"]
        if k == 1:
            positive(t["tendered"])
            if not 0 <= t["change"] < t["tendered"]:
                raise Reject(307, "change")
        elif k in (2, 3):
            positive(t["amount"])
            for field, hi in (("terminal", 16), ("approval", 12), ("rrn", 24), ("scheme", 16)):
                if not printable(t[field], 1, hi):
                    raise Reject(307, field)
            pan = t["pan"].encode()
            if not 4 <= len(pan) <= 19 or any(not (48 <= b <= 57 or b in b"*X") for b in pan):
                raise Reject(307, "masked PAN characters")
            if any(48 <= b <= 57 and 6 <= i < len(pan) - 4 for i, b in enumerate(pan)):
                raise Reject(307, "PAN not masked")
            if len(pan) > 10 and not any(b in b"*X" for b in pan):
                raise Reject(307, "PAN not masked")
        elif k == 4:
            positive(t["amount"])
            text(t["ref"], 1, 25)
            text(t["source"], 1, 64)
        elif k == 5:
            positive(t["amount"])
            text(t["id"], 1, 64)
            if t["id"] in vouchers:
                raise Reject(316, "voucher twice in the tenders")
            vouchers.append(t["id"])
            found = voucher_card(ctx.state, t["id"])
            if found is not None:
                card = found[1]
                if card["member"] and card["member"] != member:
                    raise Reject(17, "another member's e-wallet")
                if spending and t["amount"] > card["balance"]:
                    raise Reject(306, f"gift card tender {t['amount']} over its balance {card['balance']}")
            elif ctx.state.get(k_voucher(t["id"])) is not None:
                raise Reject(316, "voucher already redeemed")
        else:
            points += 1
            if not (settings["tender"] and t["points"] == redeemed and t["amount"] == points_tender and points == 1):
                raise Reject(307, "points tender")
            positive(t["amount"])
        total += tender_amount(t)
    if points_tender != 0 and points != 1:
        raise Reject(306, "points tender missing")
    if total != payable:
        raise Reject(306, f"tenders {total} != payable {payable}")


def gift_card_load(ctx, b):
    """§13.5 gift-card-load (till): stored value onto a bearer gift card or a member's e-wallet.
    Cash goes into the drawer as cash in; nothing in the books (no supply until redeemed)."""
    require(ctx, (ROLE_TILL,), "gift-card load")
    shift = open_shift(ctx)
    positive(b["amount"], GIFT_CARD_LOAD_MAX)
    if b["member"] and get_member(ctx.state, b["member"]) is None:
        raise Reject(308, "gift card for an unknown member")
    card = get_gift_card(ctx.state, b["card"])
    if card is not None:
        if card["member"] != b["member"]:
            raise Reject(17, f"the card is {card['member']!r}'s, the load {b['member']!r}'s")
        if card["balance"] + b["amount"] > GIFT_CARD_BALANCE_MAX:
            raise Reject(17, f"card balance {card['balance']} + {b['amount']} over {GIFT_CARD_BALANCE_MAX}")
    else:
        card = {"member": b["member"], "balance": 0, "loaded": 0, "redeemed": 0}
    if not b["tenders"]:
        raise Reject(307, "a load without tenders")
    if any(t["kind"] in (5, 6) for t in b["tenders"]):
        raise Reject(307, "a load paid by voucher or points")
    check_tenders(ctx, b["tenders"], b["amount"], 0, 0, get_settings(ctx.state), b["member"])
    card["balance"] += b["amount"]
    card["loaded"] += b["amount"]
    for t in b["tenders"]:
        if t["kind"] == 1:
            shift["cash_in"] += tender_amount(t)
    ctx.state.put(k_gift_card(b["card"]), enc_gift_card(card))
    ctx.state.put(k_shift(ctx.outlet, ctx.signer["principal"]), enc_shift(shift))


def points_claim(ctx, c):
    """§13.5 points-claim: credit on the outlet's allowance; the statement is held monotonic."""
    require(ctx, (ROLE_TILL, ROLE_OPERATOR), "points claim")
    text(c["member"], 1, 32)
    positive(c["points"], 100_000_000)
    if c["source"] == ctx.outlet or c["source"] not in [o[0] for o in ctx.g["outlets"]]:
        raise Reject(17, "source outlet")
    if c["outstanding"] < 0 or not 0 <= c["allowance"] <= 10 ** 12:
        raise Reject(17, "outstanding or allowance")
    st = ctx.state
    if st.get(k_claim(c["id"])) is not None:
        raise Reject(324, "claim id used")
    a = get_allowance(st)
    if c["checkpoint"] == a["checkpoint"]:
        if (c["covered"], c["outstanding"], c["allowance"]) != (a["covered"], a["outstanding"], a["allowance"]):
            raise Reject(323, "statement differs")
    else:
        if not (c["checkpoint"] > a["checkpoint"] and c["covered"] >= a["covered"] and c["covered"] < ctx.height):
            raise Reject(323, "stale statement")
        a.update(checkpoint=c["checkpoint"], covered=c["covered"], outstanding=c["outstanding"], allowance=c["allowance"])
        a["recent"] = [(h, p) for h, p in a["recent"] if h > c["covered"]]
    if a["outstanding"] + sum(p for _, p in a["recent"]) + c["points"] > a["allowance"]:
        raise Reject(322, "allowance exceeded")
    if len(a["recent"]) >= 4096:
        raise Reject(322, "too many claims waiting")
    a["recent"].append((ctx.height, c["points"]))
    st.put(K_ALLOWANCE, enc_allowance(a))
    st.put(k_claim(c["id"]), c["bytes"] + u64b(ctx.height))
    m = get_member(st, c["member"]) or {"tier": 1, "spend": 0, "lots": [], "earned": 0, "redeemed": 0, "expired": 0}
    expire_and_review(m, ctx.time, get_settings(st))
    credit(m, c["points"], expiry_day(ctx.time, get_settings(st)["months"], get_settings(st)["expiry"]))
    store_member(ctx, c["member"], m)


def points_settle(ctx, s):
    """§13.5 points-settle: the source debits min(claimed, balance), once per claim."""
    require(ctx, (ROLE_NODE, ROLE_OPERATOR), "points settlement")
    text(s["member"], 1, 32)
    positive(s["points"], 100_000_000)
    if s["claimant"] == ctx.outlet or s["claimant"] not in [o[0] for o in ctx.g["outlets"]]:
        raise Reject(17, "claimant outlet")
    st = ctx.state
    if st.get(k_settlement(s["id"])) is not None:
        raise Reject(324, "claim settled before")
    m = get_member(st, s["member"])
    if m is not None:
        expire_and_review(m, ctx.time, get_settings(st))
    due = min(s["points"], balance(m) if m is not None else 0)
    if s["debited"] != due:
        raise Reject(310, "settlement must debit min(points, balance)")
    if m is not None and due > 0:
        debit(m, due)
        store_member(ctx, s["member"], m)
    st.put(k_settlement(s["id"]), s["bytes"] + u64b(ctx.height))


def take_back_spend(a, amount, settings):
    """§13.5 refund and void (lifetime spend already lowered): the tier of the lifetime spend,
    or under tier review (§13.3) the period spend lowered by `amount` (not below 0) and the
    greater of the period tier and the tier of the new period spend."""
    if settings.get("review", 0):
        a["period"]["spend"] = max(0, a["period"]["spend"] - amount)
        a["tier"] = max(a["period"]["tier"], tier_for(a["period"]["spend"]))
    else:
        a["tier"] = tier_for(a["spend"])


def store_member(ctx, member_id, a):
    if len(a["lots"]) > 120:
        raise Reject(17, "too many lots")
    ctx.state.put(k_member(member_id), enc_member(a))


def sale(ctx, s):
    require(ctx, (ROLE_TILL,), "sale")
    books = get_books(ctx.state, ctx.outlet)
    shift = open_shift(ctx)
    if s["receipt"] != shift["last_receipt"] + 1:
        raise Reject(303, "receipt number")
    if s.get("lots"):   # §13.6: before the sale is priced, lots checked, then none recalled (325)
        lots.check_lots(ctx.state, s["lots"], [(l["sku"], l["qty"]) for l in s["lines"]])
        lots.check_not_recalled(ctx.state, s["lots"])
    settings = get_settings(ctx.state)
    computed = price_sale(ctx, [(l["sku"], l["qty"]) for l in s["lines"]], s["member"], s["redeemed"], s["training"],
                          s["tenders"], s["codes"])
    compare_sale(s, computed)
    payable = s["total"] + s["rounding"]
    check_tenders(ctx, s["tenders"], payable, s["redeemed"], computed["points_tender"], settings, s["member"])
    shift["last_receipt"] = s["receipt"]
    period = books["period"]
    if s["training"]:
        period["training_count"] += 1
        ctx.state.put(k_books(ctx.outlet), enc_books(books))
        ctx.state.put(k_shift(ctx.outlet, ctx.signer["principal"]), enc_shift(shift))
        return
    pricing = None
    if settings["returns"] == "re-priced":
        active = active_rules(ctx.state, ctx.time)
        if active:    # read before the sale's effects: the counters as they were before it
            pricing = sale_pricing_record(ctx, s, computed, settings, active)
            if len(pricing[0]["counters"]) > 256:   # checked before any of the sale's effects
                raise Reject(320, f"{len(pricing[0]['counters'])} rule counters to record, more than 256")
    for l in s["lines"]:
        change_stock(ctx, l["sku"], -l["qty"])
    eligible = payable - computed["points_tender"]
    ruled = computed["rules"]
    if s["member"]:
        a = get_member(ctx.state, s["member"])
        expire_and_review(a, ctx.time, settings)
        debit(a, s["redeemed"] + ruled["redeemed"])
        a["redeemed"] += s["redeemed"] + ruled["redeemed"]
        if s["earned"] > 0:
            credit(a, s["earned"], expiry_day(ctx.time, settings["months"], settings["expiry"]))
            a["earned"] += s["earned"]
        a["spend"] += eligible
        if settings.get("review", 0):     # §13.3 Tier review: the period spend sets the tier, never lowering it
            a["period"]["spend"] += eligible
            a["tier"] = max(a["tier"], tier_for(a["period"]["spend"]), ruled["tier"])
        else:
            a["tier"] = max(tier_for(a["spend"]), ruled["tier"])
        store_member(ctx, s["member"], a)
    for rule_id, counter, member, by in ruled["increments"]:
        key = k_counter(rule_id, counter, member)
        current = ctx.state.get(key)
        ctx.state.put(key, i64b((0 if current is None else struct.unpack(">q", current)[0]) + by))
    for t in s["tenders"]:
        if t["kind"] == 5 and not move_gift_card(ctx, t["id"], -t["amount"]):
            ctx.state.put(k_voucher(t["id"]), ctx.txid)
        if t["kind"] == 1:
            shift["cash_sales"] += tender_amount(t)
        period_add_tender(period, t["kind"], tender_amount(t))
    shift["sales"] += 1
    period["sales_count"] += 1
    period["sales_total"] += s["total"]
    period["discount_total"] += s["discount"]
    period["rounding_total"] += s["rounding"]
    period["grand_sales"] += s["total"]
    lines = [[l["sku"], l["qty"], l["net"] if l["incl"] else l["net"] + l["gst"], l["gst"], 0, 0, 0, l["tax"]]
             for l in s["lines"]]
    period_supplies(period, s["rate"], [(l[7], l[2], l[3]) for l in lines])
    ctx.state.put(k_books(ctx.outlet), enc_books(books))
    ctx.state.put(k_shift(ctx.outlet, ctx.signer["principal"]), enc_shift(shift))
    ctx.state.put(k_sale(ctx.txid), enc_sale({
        "till": ctx.signer["principal"], "shift": shift["number"], "member": s["member"], "rate": s["rate"],
        "voided": False, "total": s["total"], "discount": s["discount"], "rounding": s["rounding"],
        "earned": s["earned"], "redeemed": s["redeemed"], "reversed": 0, "eligible": eligible, "lines": lines,
        "tenders": s["tenders"]}))
    sale_coupons(ctx, s, computed["coupons"], ruled["applied"])
    if pricing is not None:
        # §13.5 *Pricing record*: the rule set and sources when absent, then the record
        record, entries, h, sources = pricing
        if ctx.state.get(k_rule_set(h)) is None:
            ctx.state.put(k_rule_set(h), enc_rule_set(entries))
        for source_hash, source in sources:
            if ctx.state.get(k_rule_source(source_hash)) is None:
                ctx.state.put(k_rule_source(source_hash), enc_str(source))
        ctx.state.put(k_sale_pricing(ctx.txid), enc_sale_pricing(record))
    if s.get("lots"):   # §13.6: after the sale's other effects
        lots.sale_effects(ctx.state, ctx.txid, s["lots"], [l["sku"] for l in s["lines"]], ctx.signer["principal"],
                          s["receipt"], s["member"], ctx.time)


def refund(ctx, f):
    require(ctx, (ROLE_TILL,), "refund")
    books = get_books(ctx.state, ctx.outlet)
    shift = open_shift(ctx)
    if f["number"] != shift["last_credit"] + 1:
        raise Reject(303, "credit note number")
    text(f["reason"], 1, 128)
    original = get_sale(ctx.state, f["original"])
    if original is None or original["voided"]:
        raise Reject(311, "unknown or voided original")
    if not f["lines"]:
        raise Reject(17, "no lines")
    amount = gst = 0
    supplies = []
    for index, qty, line_amount, line_gst in f["lines"]:
        if index >= len(original["lines"]):
            raise Reject(312, "no such line")
        sold = original["lines"][index]
        sku, sold_qty, paid, sold_gst, r_qty, r_amount, r_gst, _ = sold
        left = sold_qty - r_qty
        if not 0 < qty <= left:
            raise Reject(312, "refund exceeds sale")
        if qty == left:
            want_amount, want_gst = paid - r_amount, sold_gst - r_gst
        else:
            want_amount, want_gst = halfup(paid * qty, sold_qty), halfup(sold_gst * qty, sold_qty)
        if (line_amount, line_gst) != (want_amount, want_gst):
            raise Reject(302, "refund line amounts")
        sold[4] += qty
        sold[5] += want_amount
        sold[6] += want_gst
        amount += want_amount
        gst += want_gst
        supplies.append((sold[7], want_amount, want_gst))
        if f["restock"]:
            change_stock(ctx, sku, qty)
    # *Re-pricing*: a sale with a pricing record keeps what its kept units cost re-priced
    pricing = get_sale_pricing(ctx.state, f["original"])
    if pricing is None:
        if f["adjustments"]:
            raise Reject(302, "adjustments on a refund of a sale without a pricing record")
    else:
        adjustments, kept_points, kept_moves = reprice_return(ctx, f["original"], original, pricing, amount)
        if f["adjustments"] != adjustments:
            raise Reject(302, f"adjustments: recorded {f['adjustments']}, re-pricing gives {adjustments}")
        amount -= sum(a for _, a, _ in adjustments)
        gst -= sum(g for _, _, g in adjustments)
    if (f["rate"], f["amount"], f["gst"]) != (original["rate"], amount, gst):
        raise Reject(302, "refund totals")
    full = all(l[4] == l[1] for l in original["lines"])
    left_points = original["earned"] - original["reversed"]
    if pricing is not None:
        reversed_points = min(max(left_points - kept_points, 0), left_points)
    elif full:
        reversed_points = left_points
    else:
        share = 0 if original["total"] == 0 else toward_zero(original["earned"] * amount, original["total"])
        reversed_points = min(left_points, share)
    if f["reversed"] != reversed_points:
        raise Reject(302, "points reversed")
    for t in f["tenders"]:
        if t["kind"] == 6:
            raise Reject(307, "points refund")
        if t["kind"] == 1 and t["change"] != 0:
            raise Reject(307, "change on a refund")
    check_tenders(ctx, f["tenders"], amount, 0, 0, get_settings(ctx.state), original["member"], spending=False)
    period = books["period"]
    for t in f["tenders"]:
        if t["kind"] == 5 and not move_gift_card(ctx, t["id"], t["amount"]):
            ctx.state.put(k_voucher(t["id"]), ctx.txid)
        if t["kind"] == 1:
            if tender_amount(t) > expected_cash(shift):
                raise Reject(307, "cash refund over the drawer")
            shift["cash_refunds"] += tender_amount(t)
        period_add_tender(period, t["kind"], -tender_amount(t))
    original["reversed"] += reversed_points
    if original["member"]:
        a = get_member(ctx.state, original["member"])
        settings = get_settings(ctx.state)
        expire_and_review(a, ctx.time, settings)
        debit(a, min(reversed_points, balance(a)))
        a["spend"] = max(0, a["spend"] - amount)
        take_back_spend(a, amount, settings)
        store_member(ctx, original["member"], a)
    shift["last_credit"] = f["number"]
    period["refunds_count"] += 1
    period["refunds_total"] += amount
    period["grand_refunds"] += amount
    period_supplies(period, original["rate"], supplies, -1)
    period_supplies(period, original["rate"], [(original["lines"][i][7], a, g) for i, a, g in f["adjustments"]])
    for index, adjustment, adjustment_gst in f["adjustments"]:
        original["lines"][index][2] += adjustment
        original["lines"][index][3] += adjustment_gst
    ctx.state.put(k_books(ctx.outlet), enc_books(books))
    ctx.state.put(k_shift(ctx.outlet, ctx.signer["principal"]), enc_shift(shift))
    ctx.state.put(k_sale(f["original"]), enc_sale(original))
    if pricing is not None:
        # the counters move from what the sale's pricing moved them by to what the kept basket does
        before = {(r, c, m): by for r, c, m, by in pricing["moves"]}
        after = {(r, c, m): by for r, c, m, by in kept_moves}
        order = list(before) + [key for key in after if key not in before]
        for rule_id, counter, member in order:
            difference = after.get((rule_id, counter, member), 0) - before.get((rule_id, counter, member), 0)
            if difference != 0:
                key = k_counter(rule_id, counter, member)
                ctx.state.put(key, i64b(counter_value(ctx.state, rule_id, counter, member) + difference))
        pricing["moves"] = kept_moves
        ctx.state.put(k_sale_pricing(f["original"]), enc_sale_pricing(pricing))


def void(ctx, v):
    require(ctx, (ROLE_TILL,), "void")
    text(v["reason"], 1, 128)
    original = get_sale(ctx.state, v["original"])
    if original is None:
        raise Reject(311, "unknown original")
    shift = open_shift(ctx)
    if (original["voided"] or any(l[4] > 0 for l in original["lines"]) or original["till"] != ctx.signer["principal"]
            or original["shift"] != shift["number"]):
        raise Reject(313, "void not allowed")
    for l in original["lines"]:
        change_stock(ctx, l[0], l[1])
    if original["member"]:
        a = get_member(ctx.state, original["member"])
        settings = get_settings(ctx.state)
        expire_and_review(a, ctx.time, settings)
        debit(a, min(original["earned"], balance(a)))
        if original["redeemed"] > 0:
            credit(a, original["redeemed"], expiry_day(ctx.time, get_settings(ctx.state)["months"], get_settings(ctx.state)["expiry"]))
            a["redeemed"] -= original["redeemed"]
        a["spend"] = max(0, a["spend"] - original["eligible"])
        take_back_spend(a, original["eligible"], settings)
        store_member(ctx, original["member"], a)
    books = get_books(ctx.state, ctx.outlet)
    period = books["period"]
    for t in original["tenders"]:
        if t["kind"] == 5 and not move_gift_card(ctx, t["id"], t["amount"]):
            ctx.state.put(k_voucher(t["id"]), None)
        if t["kind"] == 1:
            shift["cash_sales"] -= tender_amount(t)
        period_add_tender(period, t["kind"], -tender_amount(t))
    period["voids_count"] += 1
    period["voids_total"] += original["total"]
    period["grand_voids"] += original["total"]
    period_supplies(period, original["rate"], [(l[7], l[2], l[3]) for l in original["lines"]], -1)
    original["voided"] = True
    ctx.state.put(k_books(ctx.outlet), enc_books(books))
    ctx.state.put(k_shift(ctx.outlet, ctx.signer["principal"]), enc_shift(shift))
    ctx.state.put(k_sale(v["original"]), enc_sale(original))
    void_coupons(ctx, v["original"])
    pricing = get_sale_pricing(ctx.state, v["original"])
    if pricing is not None:
        # each counter move of the sale undone
        for rule_id, counter, member, by in pricing["moves"]:
            if by != 0:
                key = k_counter(rule_id, counter, member)
                ctx.state.put(key, i64b(counter_value(ctx.state, rule_id, counter, member) - by))
        pricing["moves"] = []
        ctx.state.put(k_sale_pricing(v["original"]), enc_sale_pricing(pricing))
    lots.void_effects(ctx.state, v["original"], [l[0] for l in original["lines"]])   # §13.6, with sale lots only


def get_transfer(state, tid, out):
    """`transfers[id ‖ direction]` (§13.3 0x16): (outlet, counterpart, stock lines, lots);
    version 2 holds lots, version 1 none."""
    return versioned_record(state, k_transfer(tid, out), lambda r, version: (
        r.u32(), r.u32(), read_stock_lines(r), read_required_lots(r, "version-2 transfer record") if version == 2 else []))


def enc_transfer(outlet, counterpart, lines, entries):
    """A transfer record, of version 2 (lots appended) exactly when the body had lots."""
    if entries:
        return b"\x02" + u32b(outlet) + u32b(counterpart) + enc_stock_lines(lines) + lots.enc_lots(entries)
    return b"\x01" + u32b(outlet) + u32b(counterpart) + enc_stock_lines(lines)


def check_stock_lines(ctx, lines):
    if not lines:
        raise Reject(17, "no stock lines")
    seen = set()
    for sku, qty in lines:
        if get_price(ctx.state, ctx.outlet, sku) is None:
            raise Reject(300, f"SKU {sku} not priced")
        if sku in seen:
            raise Reject(17, "SKU twice")
        seen.add(sku)
        if not 1 <= qty <= 10_000_000:
            raise Reject(17, "stock quantity")


def apply(ctx, kind, body):
    try:
        b = decode(kind, body)
    except (ValueError, UnicodeDecodeError) as error:
        raise Reject(1, f"malformed POS body: {error}")
    if not (ctx.time <= ctx.block_time + 300_000 and ctx.time + 86_400_000 >= ctx.block_time):
        raise Reject(319, "transaction time outside its block's window")
    st, o = ctx.state, ctx.outlet
    if kind == SALE:
        sale(ctx, b)
    elif kind == REFUND:
        refund(ctx, b)
    elif kind == VOID:
        void(ctx, b)
    elif kind == SET_PRICES:
        require(ctx, (ROLE_OPERATOR, ROLE_ADMIN), "price list")
        if not b:
            raise Reject(17, "no entries")
        seen = set()
        for sku, category, unit, incl, tax_category, active in b:
            text(sku, 1, 64)
            text(category, 0, 64)
            if sku in seen:
                raise Reject(17, "SKU twice")
            seen.add(sku)
            if not 0 <= unit <= 100_000_000:
                raise Reject(17, "unit price")
            st.put(k_price(o, sku), enc_price(category, unit, incl, tax_category, active))
    elif kind == CONFIGURE:
        require(ctx, (ROLE_ADMIN,), "settings")
        positive(b["point_value"], 10_000)
        if not 0 <= b["ppd"] <= 1000:
            raise Reject(17, "points per dollar")
        positive(b["months"], 60)
        st.put(K_SETTINGS, enc_settings(b))
    elif kind == RECEIVE:
        require(ctx, (ROLE_OPERATOR, ROLE_TILL), "stock receipt")
        reference, lines, invoice, entries = b
        text(reference, 1, 64)
        check_stock_lines(ctx, lines)
        if invoice is not None:  # version 2: the supplier's invoice, read by reports only
            text(invoice["supplier"], 1, 128)
            if any(not 0 <= cost <= 100_000_000 for _, _, cost in invoice["lines"]):
                raise Reject(17, "unit cost")
            if not 0 <= sum(qty * cost for _, qty, cost in invoice["lines"]) <= MONEY_LIMIT:
                raise Reject(17, "invoice value")
            if not 0 <= invoice["input_gst"] <= MONEY_LIMIT:
                raise Reject(17, "input GST")
        lots.check_lots(st, entries, lines)     # §13.6 versions 3, 4 (no entries: nothing)
        for sku, qty in lines:
            change_stock(ctx, sku, qty)
        lots.receive(st, entries, lines)
    elif kind == ADJUST:
        require(ctx, (ROLE_OPERATOR,), "stock adjustment")
        sku, delta, _, note = b
        if get_price(st, o, sku) is None:
            raise Reject(300, "unknown SKU")
        if delta == 0 or abs(delta) > 10_000_000:
            raise Reject(17, "delta")
        text(note, 0, 128)
        change_stock(ctx, sku, delta)
    elif kind == COUNT:
        require(ctx, (ROLE_OPERATOR,), "stocktake")
        if not b:
            raise Reject(17, "no lines")
        seen = set()
        for sku, counted, expected, variance in b:
            if get_price(st, o, sku) is None:
                raise Reject(300, "unknown SKU")
            if sku in seen:
                raise Reject(17, "SKU twice")
            seen.add(sku)
            if not 0 <= counted <= 10_000_000:
                raise Reject(17, "counted")
            book = stock(st, o, sku)
            if expected != book or variance != counted - book:
                raise Reject(314, "stocktake figures")
            st.put(k_stock(o, sku), b"\x01" + i64b(counted))
    elif kind in (TRANSFER_OUT, TRANSFER_IN):
        require(ctx, (ROLE_OPERATOR,), "transfer")
        tid, counterpart, lines, entries = b
        outgoing = kind == TRANSFER_OUT
        if counterpart in (o, 0):
            raise Reject(17, "counterpart")
        check_stock_lines(ctx, lines)
        if st.get(k_transfer(tid, outgoing)) is not None:
            raise Reject(315, "transfer half exists")
        other = get_transfer(st, tid, not outgoing)
        # §13.5: outlet, counterpart, lines and (§13.6) lots must match the other half's record
        if other is not None and (other[0] != counterpart or other[1] != o or other[2] != lines or other[3] != entries):
            raise Reject(315, "transfer halves differ")
        lots.check_lots(st, entries, lines)     # §13.6 version 2 (no entries: nothing)
        for sku, qty in lines:
            change_stock(ctx, sku, -qty if outgoing else qty)
        lots.transfer(st, entries, lines, outgoing)
        st.put(k_transfer(tid, outgoing), enc_transfer(o, counterpart, lines, entries))
    elif kind == ENROL:
        require(ctx, (ROLE_TILL, ROLE_OPERATOR), "enrolment")
        text(b, 1, 32)
        if get_member(st, b) is not None:
            raise Reject(309, "already enrolled")
        st.put(k_member(b), enc_member({"tier": 1, "spend": 0, "lots": [], "earned": 0, "redeemed": 0, "expired": 0}))
    elif kind == POINTS_ADJUST:
        require(ctx, (ROLE_OPERATOR,), "points adjustment")
        member_id, delta, reason = b
        text(reason, 1, 128)
        if delta == 0 or abs(delta) > 100_000_000:
            raise Reject(17, "delta")
        a = get_member(st, member_id)
        if a is None:
            raise Reject(308, "unknown member")
        expire_and_review(a, ctx.time, get_settings(st))
        if delta > 0:
            credit(a, delta, expiry_day(ctx.time, get_settings(st)["months"], get_settings(st)["expiry"]))
            a["earned"] += delta
        else:
            if -delta > balance(a):
                raise Reject(310, "insufficient points")
            debit(a, -delta)
            a["redeemed"] += -delta
        store_member(ctx, member_id, a)
    elif kind == POINTS_CLAIM:
        points_claim(ctx, b)
    elif kind == POINTS_SETTLE:
        points_settle(ctx, b)
    elif kind == APPLY_RECALL:
        require(ctx, (ROLE_NODE, ROLE_OPERATOR), "recall")   # §13.1: the outlet's node key (§8.2 rule 10) or operator
        lots.apply_recall(st, ctx.g, b)
    elif kind == GIFT_CARD_LOAD:
        gift_card_load(ctx, b)
    elif kind == DEPLOY_RULE:
        deploy_rule(ctx, *b)
    elif kind == ISSUE_COUPONS:
        issue_coupons(ctx, b)
    elif kind == POINT_RATES:
        require(ctx, (ROLE_OPERATOR,), "points-rate update")
        entries, reason = b
        text(reason, 1, 128)
        if not entries:
            raise Reject(17, "no categories")
        previous = None
        for category, rate in entries:
            text(category, 1, 64)
            if previous is not None and not previous < category.encode():
                raise Reject(17, "categories not ascending")
            previous = category.encode()
            if not 0 <= rate <= 100_000:
                raise Reject(17, "points rate")
            st.put(b"\x1b" + category.encode(), i64b(rate))
    elif kind == MEMBER_MULTIPLIER:
        require(ctx, (ROLE_OPERATOR,), "member multiplier")
        member_id, bp, reason = b
        text(reason, 1, 128)
        if get_member(st, member_id) is None:
            raise Reject(308, "unknown member")
        if not 0 <= bp <= 100_000:
            raise Reject(17, "multiplier")
        st.put(b"\x1c" + member_id.encode(), i64b(bp))
    elif kind == SHIFT_OPEN:
        require(ctx, (ROLE_TILL,), "shift-open")
        if not 0 <= b <= 10_000_000:
            raise Reject(17, "float")
        previous = get_shift(st, o, ctx.signer["principal"])
        if previous is not None and previous["open"]:
            raise Reject(305, "shift already open")
        books = get_books(st, o)
        books["open_shifts"] += 1
        st.put(k_books(o), enc_books(books))
        st.put(k_shift(o, ctx.signer["principal"]), enc_shift({
            "number": (previous["number"] if previous else 0) + 1,
            "last_receipt": previous["last_receipt"] if previous else 0,
            "last_credit": previous["last_credit"] if previous else 0, "open": True, "float": b, "cash_sales": 0,
            "cash_refunds": 0, "cash_in": 0, "cash_out": 0, "sales": 0, "drawer_opens": 0}))
    elif kind in (CASH_IN, CASH_OUT):
        require(ctx, (ROLE_TILL,), "cash movement")
        amount, reason = b
        positive(amount, 10_000_000)
        text(reason, 1, 128)
        shift = open_shift(ctx)
        if kind == CASH_IN:
            shift["cash_in"] += amount
        else:
            if amount > expected_cash(shift):
                raise Reject(17, "cash-out over the drawer")
            shift["cash_out"] += amount
        st.put(k_shift(o, ctx.signer["principal"]), enc_shift(shift))
    elif kind == DRAWER_OPEN:
        require(ctx, (ROLE_TILL,), "drawer-open")
        text(b, 1, 128)
        shift = open_shift(ctx)
        shift["drawer_opens"] += 1
        st.put(k_shift(o, ctx.signer["principal"]), enc_shift(shift))
    elif kind == SHIFT_CLOSE:
        require(ctx, (ROLE_TILL,), "shift-close")
        counted, expected, variance = b
        shift = open_shift(ctx)
        if not 0 <= counted <= 100_000_000:
            raise Reject(17, "counted")
        if expected != expected_cash(shift) or variance != counted - expected:
            raise Reject(317, "shift figures")
        shift["open"] = False
        books = get_books(st, o)
        books["open_shifts"] -= 1
        st.put(k_books(o), enc_books(books))
        st.put(k_shift(o, ctx.signer["principal"]), enc_shift(shift))
    elif kind == DAY_CLOSE:
        require(ctx, (ROLE_OPERATOR,), "day-close")
        z, date, totals = b
        books = get_books(st, o)
        if z != books["last_z"] + 1:
            raise Reject(303, "Z number")
        if not valid_date(date):
            raise Reject(17, "business date")
        if books["open_shifts"] != 0:
            raise Reject(318, "shifts still open")
        if enc_period(totals) != enc_period(books["period"]):
            raise Reject(317, "Z-report totals differ from the books")
        books["last_z"] = z
        books["period"] = new_period(books["period"])
        st.put(k_books(o), enc_books(books))


# --- §9.1 a sale's record kept in its tx-index entry ------------------------------------

def referenced_sale_record(kind, body, reference):
    """The sales record a tx-index reference (shift number u64 ‖ till string(64)) stands
    for, rebuilt from the sale transaction's body (FORMAT.md §9.1); None when the
    transaction is not a sale, is a training sale, or the reference does not decode."""
    if kind != SALE:
        return None
    try:
        s = decode(kind, body)
        r = Reader(reference)
        shift, till = r.u64(), r.string(64)
        r.finish()
    except (ValueError, UnicodeDecodeError):
        return None
    if s["training"]:
        return None
    lines = [[l["sku"], l["qty"], l["net"] if l["incl"] else l["net"] + l["gst"], l["gst"], 0, 0, 0, l["tax"]]
             for l in s["lines"]]
    in_points = sum(tender_amount(t) for t in s["tenders"] if t["kind"] == 6)
    return enc_sale({
        "till": till, "shift": shift, "member": s["member"], "rate": s["rate"], "voided": False,
        "total": s["total"], "discount": s["discount"], "rounding": s["rounding"], "earned": s["earned"],
        "redeemed": s["redeemed"], "reversed": 0, "eligible": s["total"] + s["rounding"] - in_points,
        "lines": lines, "tenders": s["tenders"]})
