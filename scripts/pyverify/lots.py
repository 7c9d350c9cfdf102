"""Lots and product recalls (docs/FORMAT.md §9.8, §13.6), for the independent verifier.

GTINs and lots, the lot entries of sales (version 6), stock receipts (versions 3, 4) and
transfers (version 2), the `lots`, `lot sales`, `sale lots` and `recalls` tables (§13.3
0x26-0x29), and the product recall that checkpoints carry (§9.3, §9.8) and apply-recall
bodies (0x0125) record in an outlet chain. pos.py decodes the bodies and calls the checks
and effects here; verify.py decodes and checks the recalls of checkpoints with
read_recall and recall_problem.
"""
import hashlib
import struct

import nacl.exceptions
import nacl.signing

from common import Reader, Reject, enc_str, u32b, u64b

APPLY_RECALL = 0x0125                      # §13.1: apply-recall, signed by the outlet's node key or an operator
LOTS, LOT_SALES, SALE_LOTS, RECALLS = 0x26, 0x27, 0x28, 0x29   # §13.3 tables
LOTS_MAX = 1000                            # §13.6: lots are a list(1000) of lot entries
GTIN_BYTES, LOT_BYTES = 14, 20             # … GTIN string(14), lot string(20)
REASON_BYTES = 128                         # §9.8: reason string(128)
EXPIRY_MAX = 2_932_896                     # §13.6 lots checked: 0 ≤ expiry ≤ 2 932 896 (9999-12-31)
LOT_QUANTITY_MAX = 10_000_000              # … quantity 1–10 000 000
LOT_TOTAL_MAX = 10 ** 12                   # §13.6 a lot moves: every total within 0 … 10¹² (else 17)
RECALL_ID_TAG = "SGPOS/recall/v1"          # §9.8: recall id = tagged(tag, recall bytes)
RECALL_SIG_TAG = "SGPOS/recall-sig/v1"     # §9.8: signature over tag ‖ 0x00 ‖ every field before it


def i64b(v): return struct.pack(">q", v)
def i64(r): return struct.unpack(">q", r.take(8))[0]


def tagged(tag, data):
    return hashlib.sha256(tag.encode() + b"\x00" + data).digest()


# --- §13.6 GTINs and lots ----------------------------------------------------------------

def gtin_valid(gtin):
    """14 ASCII digits, the last the GS1 check digit of the other 13: their sum weighted 3, 1,
    3, … from the left, and (10 − sum mod 10) mod 10."""
    raw = gtin.encode()
    if len(raw) != GTIN_BYTES or any(not 0x30 <= b <= 0x39 for b in raw):
        return False
    digits = [b - 0x30 for b in raw]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:13]))
    return digits[13] == (10 - total % 10) % 10


def lot_valid(lot):
    """A lot (GS1 AI 10): 1–20 bytes, each 0x21–0x7E."""
    raw = lot.encode()
    return 1 <= len(raw) <= LOT_BYTES and all(0x21 <= b <= 0x7E for b in raw)


def read_lots(r):
    """Lots (§13.6): list(1000) of (line index u32 ‖ GTIN string(14) ‖ lot string(20) ‖ expiry
    i64 ‖ quantity i64), strictly ascending by (line index, GTIN bytes, lot bytes), else a
    decoding error. Returns [(line index, GTIN, lot, expiry, quantity)]; the caller refuses an
    empty list where the body's version requires lots."""
    entries = []
    for _ in range(r.count(LOTS_MAX)):
        entry = (r.u32(), r.string(GTIN_BYTES), r.string(LOT_BYTES), i64(r), i64(r))
        if entries and order(entry) <= order(entries[-1]):
            raise ValueError(f"lot entry {entry[:3]} does not ascend by (line index, GTIN, lot)")
        entries.append(entry)
    return entries


def order(entry):
    return entry[0], entry[1].encode(), entry[2].encode()


def enc_lots(entries):
    return u32b(len(entries)) + b"".join(u32b(index) + enc_str(gtin) + enc_str(lot) + i64b(expiry) + i64b(qty)
                                         for index, gtin, lot, expiry, qty in entries)


# --- §13.3 tables 0x26-0x29 ------------------------------------------------------------------

def k_lot(gtin, lot): return bytes([LOTS]) + gtin.encode() + lot.encode()


def k_lot_sale(gtin, lot, txid):
    raw = lot.encode()
    return bytes([LOT_SALES]) + gtin.encode() + bytes([len(raw)]) + raw + txid


def k_sale_lots(txid): return bytes([SALE_LOTS]) + txid
def k_recall(gtin, lot): return bytes([RECALLS]) + gtin.encode() + lot.encode()


def versioned(raw, parse):
    """A version-1 record (§13.3: these tables have no other version)."""
    if raw is None:
        return None
    r = Reader(raw)
    version = r.u8()
    if version != 1:
        raise ValueError(f"record version {version}")
    value = parse(r)
    r.finish()
    return value


LOT_TOTALS = ("received", "in", "out", "sold")


def get_lot(state, gtin, lot):
    """`lots[GTIN ‖ lot]`: SKU, expiry (day, 0: not known), received, transferred in,
    transferred out, sold; None when absent."""
    return versioned(state.get(k_lot(gtin, lot)), lambda r: dict(
        {"sku": r.string(64), "expiry": i64(r)}, **{k: i64(r) for k in LOT_TOTALS}))


def enc_lot(rec):
    return b"\x01" + enc_str(rec["sku"]) + i64b(rec["expiry"]) + b"".join(i64b(rec[k]) for k in LOT_TOTALS)


def enc_lot_sale(principal, receipt, member, quantity, time):
    """`lot sales` (0x27): till principal string(64) ‖ receipt number u64 ‖ member id string(32) ‖
    quantity i64 ‖ time i64 (the sale's t)."""
    return b"\x01" + enc_str(principal) + u64b(receipt) + enc_str(member) + i64b(quantity) + i64b(time)


def get_sale_lots(state, txid):
    """`sale lots[txid]` (0x28, no version byte): the sale's lots; None when absent."""
    raw = state.get(k_sale_lots(txid))
    if raw is None:
        return None
    r = Reader(raw)
    entries = read_lots(r)
    r.finish()
    return entries


def enc_recall_record(recall_id, checkpoint, reason):
    """`recalls` (0x29): recall id fixed(32) ‖ checkpoint u64 ‖ reason string(128)."""
    return b"\x01" + recall_id + u64b(checkpoint) + enc_str(reason)


# --- §13.6 checks and effects ------------------------------------------------------------------

def check_lots(state, entries, lines):
    """*Lots checked* (else 17, in entry order) against the body's lines [(SKU, quantity)]: the
    line's SKU is the SKU of `lots[GTIN ‖ lot]` as it was before the body, and the SKU of the
    line of every earlier entry of the body with the same GTIN and lot (so one lot names one SKU
    within a body too, even a lot the body creates)."""
    covered = {}
    earlier = {}   # (GTIN, lot) -> [(line index, SKU)] of this body's earlier entries
    for index, gtin, lot, expiry, qty in entries:
        where = f"lot entry (line {index}, GTIN {gtin!r}, lot {lot!r})"
        if index >= len(lines):
            raise Reject(17, f"{where}: the body has {len(lines)} lines")
        if not gtin_valid(gtin):
            raise Reject(17, f"{where}: not a valid GTIN (14 digits, GS1 check digit)")
        if not lot_valid(lot):
            raise Reject(17, f"{where}: a lot is 1-20 bytes, each 0x21-0x7E")
        if not 0 <= expiry <= EXPIRY_MAX:
            raise Reject(17, f"{where}: expiry {expiry} not in 0...{EXPIRY_MAX}")
        if not 1 <= qty <= LOT_QUANTITY_MAX:
            raise Reject(17, f"{where}: quantity {qty} not in 1...{LOT_QUANTITY_MAX}")
        covered[index] = covered.get(index, 0) + qty
        if covered[index] > lines[index][1]:
            raise Reject(17, f"{where}: the line's entries add up to {covered[index]}, "
                             f"more than its quantity {lines[index][1]}")
        sku = lines[index][0]
        existing = get_lot(state, gtin, lot)
        if existing is not None and existing["sku"].encode() != sku.encode():
            raise Reject(17, f"{where}: the lot is SKU {existing['sku']!r}'s, the line's is {sku!r}")
        for other_index, other_sku in earlier.get((gtin, lot), []):
            if other_sku.encode() != sku.encode():
                raise Reject(17, f"{where}: an earlier entry of this body puts the lot on line {other_index} "
                                 f"(SKU {other_sku!r}), the line's is {sku!r}")
        earlier.setdefault((gtin, lot), []).append((index, sku))


def move(state, gtin, lot, sku, expiry, **deltas):
    """*A lot moves* by (received, in, out, sold) deltas: the record, or a new one with the
    line's SKU, the entry's expiry and zero totals; an expiry of 0 becomes the entry's. A total
    outside 0 … 10¹² is 17. The record is written."""
    rec = get_lot(state, gtin, lot) or dict({"sku": sku, "expiry": expiry}, **{k: 0 for k in LOT_TOTALS})
    for field, delta in deltas.items():
        rec[field] += delta
        if not 0 <= rec[field] <= LOT_TOTAL_MAX:
            raise Reject(17, f"lot {gtin} {lot!r}: {field} would be {rec[field]}, outside 0...{LOT_TOTAL_MAX}")
    if rec["expiry"] == 0:
        rec["expiry"] = expiry
    state.put(k_lot(gtin, lot), enc_lot(rec))


def receive(state, entries, lines):
    """stock-receive with lots (versions 3, 4), after stock: for each entry in order, a record
    with an expiry other than 0 and an entry expiry other than 0 that differs is 17; else the
    lot moves by received += quantity."""
    for index, gtin, lot, expiry, qty in entries:
        existing = get_lot(state, gtin, lot)
        if existing is not None and existing["expiry"] != 0 and expiry != 0 and expiry != existing["expiry"]:
            raise Reject(17, f"lot {gtin} {lot!r} has expiry {existing['expiry']}, the receipt says {expiry}")
        move(state, gtin, lot, lines[index][0], expiry, received=qty)


def transfer(state, entries, lines, outgoing):
    """transfer-out/-in version 2: each entry in order moves its lot by transferred out (out) or
    transferred in (in) += quantity."""
    for index, gtin, lot, expiry, qty in entries:
        if outgoing:
            move(state, gtin, lot, lines[index][0], expiry, out=qty)
        else:
            move(state, gtin, lot, lines[index][0], expiry, **{"in": qty})


def check_not_recalled(state, entries):
    """sale with lots, after *lots checked*: for each entry in order, `recalls[GTIN ‖ lot]`
    absent (else 325, lot recalled)."""
    for _, gtin, lot, _, _ in entries:
        if state.get(k_recall(gtin, lot)) is not None:
            raise Reject(325, f"lot {gtin} {lot!r} recalled")


def distinct_lots(entries):
    """The distinct (GTIN, lot) of entries with the sum of their quantities, in first-entry order."""
    sums = {}
    for _, gtin, lot, _, qty in entries:
        sums[(gtin, lot)] = sums.get((gtin, lot), 0) + qty
    return sums


def sale_effects(state, txid, entries, skus, principal, receipt, member, time):
    """sale with lots (not in training), after the sale's other effects: each entry in order
    moves its lot by sold += quantity; each distinct (GTIN, lot) gets its `lot sales` record;
    `sale lots[txid]` = the lots. `skus`: the sale lines' SKUs."""
    for index, gtin, lot, expiry, qty in entries:
        move(state, gtin, lot, skus[index], expiry, sold=qty)
    for (gtin, lot), quantity in distinct_lots(entries).items():
        state.put(k_lot_sale(gtin, lot, txid), enc_lot_sale(principal, receipt, member, quantity, time))
    state.put(k_sale_lots(txid), enc_lots(entries))


def void_effects(state, original, skus):
    """void of a sale with `sale lots[original]`, after the other effects: each of its entries
    in order moves its lot by sold −= quantity; its `lot sales` records are deleted, then
    `sale lots[original]`. `skus`: the sale record's line SKUs. Nothing without the record."""
    entries = get_sale_lots(state, original)
    if entries is None:
        return
    for index, gtin, lot, expiry, qty in entries:
        move(state, gtin, lot, skus[index], expiry, sold=-qty)
    for gtin, lot in distinct_lots(entries):
        state.put(k_lot_sale(gtin, lot, original), None)
    state.put(k_sale_lots(original), None)


# --- §9.8 product recalls and §13.6 apply-recall -----------------------------------------------

def read_recall(r):
    """A product recall (§9.8): u8 version 1 ‖ chain id fixed(32) ‖ serial u64 ‖ GTIN string(14)
    ‖ lot string(20) ‖ reason string(128) ‖ admin key fixed(32) ‖ signature fixed(64). Returns its
    fields, its bytes, the signed message and its id."""
    start = r.at
    version = r.u8()
    if version != 1:
        raise ValueError(f"product recall version {version}")
    recall = {"chain": r.take(32), "serial": r.u64(), "gtin": r.string(GTIN_BYTES), "lot": r.string(LOT_BYTES),
              "reason": r.string(REASON_BYTES), "admin": r.take(32)}
    recall["signed"] = RECALL_SIG_TAG.encode() + b"\x00" + r.data[start:r.at]
    recall["signature"] = r.take(64)
    recall["bytes"] = r.data[start:r.at]
    recall["id"] = tagged(RECALL_ID_TAG, recall["bytes"])
    return recall


def enc_recall(chain, serial, gtin, lot, reason, admin, signature):
    return b"\x01" + chain + u64b(serial) + enc_str(gtin) + enc_str(lot) + enc_str(reason) + admin + signature


def recall_problem(recall, g):
    """Why the recall is not valid against the genesis g (§9.8), or None when it is: the chain id
    is the genesis id, the admin key a genesis admin, GTIN and lot valid, the reason 1–128 bytes
    without control characters, and the signature verifies."""
    if recall["chain"] != g["id"]:
        return "the chain id is not the genesis id"
    if recall["admin"] not in [key for _, key in g["admins"]]:
        return "not signed by a genesis admin key"
    if not gtin_valid(recall["gtin"]):
        return f"GTIN {recall['gtin']!r} is not valid"
    if not lot_valid(recall["lot"]):
        return f"lot {recall['lot']!r} is not valid"
    reason = recall["reason"]
    if not (1 <= len(reason.encode()) <= REASON_BYTES and all(ord(c) >= 0x20 and ord(c) != 0x7F for c in reason)):
        return "the reason is not 1-128 bytes without control characters"
    try:
        nacl.signing.VerifyKey(recall["admin"]).verify(recall["signed"], recall["signature"])
    except (nacl.exceptions.BadSignatureError, ValueError):
        return "the signature does not verify"
    return None


def read_apply_recall(r):
    """apply-recall (after the version byte): checkpoint u64 ‖ the product recall."""
    return {"checkpoint": r.u64(), "recall": read_recall(r)}


def apply_recall(state, g, b):
    """apply-recall (the signer's role checked by the caller): the recall valid against the
    genesis (else 17); `recalls[GTIN ‖ lot]` absent (else 326); writes it = (recall id,
    checkpoint, reason)."""
    recall = b["recall"]
    problem = recall_problem(recall, g)
    if problem is not None:
        raise Reject(17, f"recall {recall['id'].hex()}: {problem}")
    key = k_recall(recall["gtin"], recall["lot"])
    if state.get(key) is not None:
        raise Reject(326, f"lot {recall['gtin']} {recall['lot']!r} already recalled")
    state.put(key, enc_recall_record(recall["id"], b["checkpoint"], recall["reason"]))
