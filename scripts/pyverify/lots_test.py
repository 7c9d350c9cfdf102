#!/usr/bin/env python3
"""Cases of lots and product recalls (FORMAT.md §7.1, §8.2 rule 18, §9.3 checkpoint version 5,
§9.8, §13.1-§13.3, §13.6) on hand-encoded bodies and records: the new body versions (sale 6,
stock-receive 3 and 4, transfer-out/-in 2, apply-recall 0x0125) and their decoding errors (empty
lot lists, entries that do not ascend), every check of §13.6 with its code (17, 325, 326, the
roles: 10, 18), the lot, lot sales, sale lots, recalls and version-2 transfer records they write,
a void moving lots back and deleting the sale's lot records, a recall's id and signature, the
version-5 checkpoint value and the `recall/checkpoint` statement check; and a whole 4-outlet
store built here (one apply-recall block, a version-5 checkpoint) audited by verify.py. Expected bytes are
written here from the spec's field lists, never by the code under test.

Usage: python3 scripts/pyverify/lots_test.py   (prints 'N passed, M failed')
"""
import hashlib
import os
import zlib
import sys

import nacl.signing

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402
import lots  # noqa: E402
import pos  # noqa: E402
import verify  # noqa: E402
from common import Reject, enc_str, u32b, u64b  # noqa: E402
from pos_test import (OUTLET, T0, Machine, State, boolean, card, i64, sale_body, set_prices,  # noqa: E402
                      u8)

# GTINs whose check digits are worked out by hand (§13.6: the 13 digits weighted 3, 1, 3, … from
# the left; check = (10 − sum mod 10) mod 10):
# 0 9 5 0 6 0 0 0 1 3 4 3 5 → 0+9+15+0+18+0+0+0+3+3+12+3+15 = 78 → check 2
GTIN_A = "09506000134352"
# 0 0 0 1 2 3 4 5 6 0 0 0 1 → 0+0+0+1+6+3+12+5+18+0+0+0+3 = 48 → check 2
GTIN_B = "00012345600012"
# a GTIN-8 (40170725) padded: 0 0 0 0 0 0 4 0 1 7 0 7 2 → 12+3+7+7+6 = 35 → check 5
GTIN_C = "00000040170725"
GENESIS_ID = hashlib.sha256(b"a made-up genesis").digest()
ADMIN = nacl.signing.SigningKey(bytes([7]) * 32)
STRANGER = nacl.signing.SigningKey(bytes([8]) * 32)     # not a genesis admin
ADMIN_KEY = bytes(ADMIN.verify_key)
EXPIRY = 20_500          # a day number (days since 1970-01-01)
TILL = "till-01"


# --- FORMAT.md encodings, written here apart from lots.py and pos.py -------------------------

def entry(index, gtin, lot, expiry, qty):
    """A lot entry (§13.6): line index u32 ‖ GTIN string(14) ‖ lot string(20) ‖ expiry i64 ‖ quantity i64."""
    return u32b(index) + enc_str(gtin) + enc_str(lot) + i64(expiry) + i64(qty)


def lots_bytes(entries):
    """Lots: list(1000) of lot entries."""
    return u32b(len(entries)) + b"".join(entry(*e) for e in entries)


def stock_lines(lines):
    return u32b(len(lines)) + b"".join(enc_str(s) + i64(q) for s, q in lines)


def receive3(reference, lines, entries):
    """stock-receive version 3: version 1's fields ‖ lots."""
    return u8(3) + enc_str(reference) + stock_lines(lines) + lots_bytes(entries)


def receive4(reference, costed, supplier, input_gst, entries):
    """stock-receive version 4: version 2's fields ‖ lots."""
    return (u8(4) + enc_str(reference) + u32b(len(costed)) + b"".join(enc_str(s) + i64(q) + i64(c) for s, q, c in costed)
            + enc_str(supplier) + i64(input_gst) + lots_bytes(entries))


def transfer(tid, counterpart, lines, entries=None):
    """transfer-out / transfer-in: version 1, or version 2 (lots appended) when entries is given."""
    head = tid + u32b(counterpart) + stock_lines(lines)
    return u8(1) + head if entries is None else u8(2) + head + lots_bytes(entries)


def lot_record(sku, expiry, received=0, transferred_in=0, transferred_out=0, sold=0):
    """`lots` (0x26, version 1): SKU string(64) ‖ expiry i64 ‖ received ‖ in ‖ out ‖ sold."""
    return (u8(1) + enc_str(sku) + i64(expiry) + i64(received) + i64(transferred_in) + i64(transferred_out)
            + i64(sold))


def lot_key(gtin, lot): return b"\x26" + gtin.encode() + lot.encode()
def lot_sale_key(gtin, lot, txid): return b"\x27" + gtin.encode() + u8(len(lot.encode())) + lot.encode() + txid
def sale_lots_key(txid): return b"\x28" + txid
def recall_key(gtin, lot): return b"\x29" + gtin.encode() + lot.encode()


def unsigned_recall(serial, gtin, lot, reason, admin=ADMIN_KEY, chain=GENESIS_ID, version=1):
    """§9.8: u8 version 1 ‖ chain id fixed(32) ‖ serial u64 ‖ GTIN string(14) ‖ lot string(20) ‖
    reason string(128) ‖ admin public key fixed(32)."""
    return u8(version) + chain + u64b(serial) + enc_str(gtin) + enc_str(lot) + enc_str(reason) + admin


def recall(serial, gtin, lot, reason="listeria", signer=ADMIN, **kw):
    """A signed recall: the fields ‖ Ed25519 over "SGPOS/recall-sig/v1" ‖ 0x00 ‖ the fields."""
    kw.setdefault("admin", bytes(signer.verify_key))
    fields = unsigned_recall(serial, gtin, lot, reason, **kw)
    return fields + signer.sign(b"SGPOS/recall-sig/v1\x00" + fields).signature


def recall_id(raw): return hashlib.sha256(b"SGPOS/recall/v1\x00" + raw).digest()
def apply_recall(checkpoint, raw, version=1): return u8(version) + u64b(checkpoint) + raw


def sale6(receipt, lines, gst, total, tenders, entries, training=False):
    """A sale of version 6: the version-5 fields with an empty rule record, skip list and codes ‖ lots.
    lines: (sku, category, qty, unit, incl, tax, discounts, net, gst)."""
    subtotal = sum(l[2] * l[3] for l in lines)
    v5 = sale_body(receipt, lines, 900, subtotal, 0, gst, total, tenders, training=training, codes=[])
    return u8(6) + v5[1:] + lots_bytes(entries)


def milk(qty, gst): return ("MILK", "dairy", qty, 250, True, 1, [], 250 * qty, gst)
def bread(qty, gst): return ("BREAD", "bakery", qty, 300, True, 1, [], 300 * qty, gst)


def machine():
    m = Machine()
    m.g.update(id=GENESIS_ID, admins=[("admin", ADMIN_KEY)], chain="lots-test")
    assert [m.apply(pos.SET_PRICES, set_prices([("MILK", "dairy", 250, True, 1), ("BREAD", "bakery", 300, True, 1)],
                                               version=1)),
            m.till(pos.SHIFT_OPEN, u8(1) + i64(10_000))] == [0, 0]
    return m


def fork(m):
    copy = Machine()
    copy.g, copy.state, copy.n = m.g, State(m.state), m.n
    return copy


# --- a whole store (FORMAT.md §9): one apply-recall block and a version-5 checkpoint -----------

def sha(data): return hashlib.sha256(data).digest()
def tag(name, data): return sha(name.encode() + b"\x00" + data)


def write_set_hash(entries):
    """§7.3: u32 count ‖ per entry (sorted by key) bytes(257) key ‖ u8 1 ‖ bytes(65536) value."""
    out = u32b(len(entries)) + b"".join(u32b(len(k)) + k + u8(1) + u32b(len(v)) + v for k, v in sorted(entries.items()))
    return tag("SGPOS/write-set/v1", out)


def build_store(path, applied, carried, nodes, named=1):
    """A 4-outlet store whose outlet 1 has one block: outlet 1's node key applies the recall
    `applied` naming checkpoint `named`; checkpoint 1 (version 5) carries the recalls `carried`
    and covers that block. Written from §3, §5, §7, §9.1-§9.4 and §10; returns the genesis id."""
    import lmdb
    genesis_time = T0 - 3_600_000
    node_keys = [bytes(n.verify_key) for n in nodes]
    genesis = (u8(1) + enc_str("lots-test") + u64b(genesis_time) + u32b(100) + u64b(0) + boolean(True) + u8(2)
               + u32b(1) + enc_str("2024-01-01") + u32b(900) + u32b(1) + enc_str("admin") + ADMIN_KEY
               + u32b(4) + b"".join(u32b(i + 1) + enc_str(f"o{i + 1}") + node_keys[i] for i in range(4)) + u32b(0))
    gid = tag("SGPOS/genesis/v1", genesis)

    def key_record(role, outlet, principal, seq=0):
        return u8(1) + u8(role) + u32b(outlet) + enc_str(principal) + u8(1) + u64b(0) + u64b(seq)
    genesis_state = {b"\x02" + ADMIN_KEY: key_record(1, 0, "admin"), b"\x03" + u32b(0) + u8(1) + b"admin": ADMIN_KEY}
    for i in range(4):
        genesis_state[b"\x01" + u32b(i + 1)] = u8(1) + enc_str(f"o{i + 1}") + node_keys[i]
        genesis_state[b"\x02" + node_keys[i]] = key_record(4, i + 1, "node")
        genesis_state[b"\x03" + u32b(i + 1) + u8(4) + b"node"] = node_keys[i]
    root0 = tag("SGPOS/state-root/v1", gid + write_set_hash(genesis_state))

    body = apply_recall(named, applied(gid))
    unsigned = (u8(1) + enc_str("lots-test") + u32b(1) + node_keys[0] + u64b(1) + b"\x09" * 16 + u64b(T0)
                + bytes([0x01, 0x25]) + u32b(len(body)) + body)
    tx = unsigned + nodes[0].sign(b"SGPOS/tx-sig/v1\x00" + unsigned).signature
    txid = tag("SGPOS/tx-id/v1", tx)
    parsed = lots.read_recall(verify.Reader(applied(gid)))
    writes = {b"\x02" + node_keys[0]: key_record(4, 1, "node", seq=1),
              b"\x29" + parsed["gtin"].encode() + parsed["lot"].encode(): u8(1) + parsed["id"] + u64b(named)
              + enc_str(parsed["reason"])}
    root1 = tag("SGPOS/state-root/v1", root0 + write_set_hash(writes))
    header = (u8(1) + enc_str("lots-test") + u32b(1) + u64b(1) + gid + u64b(T0) + u32b(1) + sha(b"\x00" + txid)
              + sha(b"") + root1 + node_keys[0])
    block_id = tag("SGPOS/block-id/v1", header)
    block = header + nodes[0].sign(b"SGPOS/block-sig/v1\x00" + header).signature + u32b(1) + u32b(len(tx)) + tx

    recalls = sorted((r(gid) for r in carried), key=recall_id)
    changes = {b"\x48" + recall_id(r): u64b(1) + r for r in recalls}
    net0 = tag("SGPOS/network-root/v1", gid + tag("SGPOS/write-set/v1", u32b(0)))
    net1 = tag("SGPOS/network-root/v1", net0 + write_set_hash(changes))
    heads = [(1, 1, block_id)] + [(o, 0, gid) for o in (2, 3, 4)]
    value = (u8(5) + u64b(T0 + 1000) + u32b(4) + b"".join(u32b(o) + u64b(h) + b for o, h, b in heads)
             + u32b(0) + u32b(0) + u32b(0) + u32b(len(recalls)) + b"".join(recalls) + sha(b"") + net1)
    value_id = tag("SGPOS/checkpoint-value/v1", value)
    votes = b""
    for v in range(4):
        fields = gid + u8(2) + u64b(1) + u32b(0) + u8(1) + value_id + bytes([0, v])
        votes += fields + nodes[v].sign(b"SGPOS/checkpoint-vote/v1\x00" + fields).signature
    cert = u64b(1) + u32b(0) + u32b(len(value)) + value + u32b(4) + votes

    env = lmdb.open(os.path.join(path, "ledger"), max_dbs=16, map_size=1 << 24, subdir=True)
    content = {
        "blocks": {u32b(1) + u64b(1): u32b(len(block)) + u32b(len(zlib.compress(block))) + zlib.compress(block)}, "tx-index": {txid: u32b(1) + u64b(1) + u32b(0)},
        "idempotency": {u32b(1) + b"\x09" * 16: u64b(1) + u32b(0)},
        "history": {u32b(1) + u8(0) + u64b(0): sha(b"\x00" + block_id)}, "tx-tree": {},
        "state": {u32b(o) + k: v for o in range(1, 5) for k, v in {**genesis_state, **(writes if o == 1 else {})}.items()},
        "meta": {b"format": u32b(6), b"genesis": genesis, b"head/" + u32b(1): u64b(1) + block_id + u64b(T0) + root1,
                 b"network": u64b(1) + net1},
        "checkpoints": {u64b(1): cert}, "network": changes, "network-sources": {}}
    with env.begin(write=True) as txn:
        for name, entries in content.items():
            db = env.open_db(name.encode(), txn=txn)
            for k, v in entries.items():
                txn.put(k, v, db=db)
    env.close()
    return gid


def audit_store(check):
    import contextlib
    import io
    import tempfile
    nodes = [nacl.signing.SigningKey(bytes([50 + i]) * 32) for i in range(4)]
    first = lambda gid: recall(1, GTIN_A, "L1", "listeria", chain=gid)  # noqa: E731
    other = lambda gid: recall(2, GTIN_B, "B7", "allergen", chain=gid)  # noqa: E731
    stranger = lambda gid: recall(3, GTIN_C, "X9", "mould", signer=STRANGER, chain=gid)  # noqa: E731

    def audit(applied, carried, named=1):
        with tempfile.TemporaryDirectory() as path:
            gid = build_store(path, applied, carried, nodes, named)
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out):
                    verify.verify(path)
                return "OK", out.getvalue(), gid
            except verify.Fail as failure:
                return str(failure), out.getvalue(), gid
    result, printed, gid = audit(first, [first])
    check("a store whose node key applies the recall its checkpoint 1 (version 5) carries passes the audit",
          result == "OK" and f"RECALL: checkpoint 1 carries recall {recall_id(first(gid)).hex()}" in printed
          and "the roots of checkpoints 1-1 recomputed" in printed)
    result, printed, gid = audit(first, [first, other])
    check("... also when the checkpoint carries a second recall", result == "OK" and printed.count("RECALL:") == 2)
    result, _, _ = audit(first, [other])
    check("an apply-recall naming checkpoint 1, which carries another recall: recall/checkpoint",
          "[recall/checkpoint]" in result and result.startswith("outlet 1 height 1 transaction 0"))
    result, _, _ = audit(first, [first, stranger])
    check("a checkpoint carrying a recall signed by a key that is no genesis admin: checkpoints/recall",
          "[checkpoints/recall]" in result and result.startswith("checkpoint 1"))
    # §9.8: a statement of checkpoint 0, or of a checkpoint the audit did not replay, is not checked
    result, _, _ = audit(first, [other], named=0)
    check("an apply-recall naming checkpoint 0 passes the audit (checkpoint 1 carries another recall)", result == "OK")
    result, _, _ = audit(first, [other], named=2)
    check("an apply-recall naming checkpoint 2, which the store does not hold (not replayed), passes the audit",
          result == "OK")


def main():
    check = Checks()

    def decodes(kind, body):
        try:
            pos.decode(kind, body)
            return True
        except (ValueError, UnicodeDecodeError):
            return False

    def rejects(code, f, *args):
        """f(*args) raises Reject with `code`."""
        try:
            f(*args)
        except Reject as rejection:
            return rejection.code == code
        return False

    def fails(rule, f, *args):
        """f(*args) raises verify.Fail naming `rule`."""
        try:
            f(*args)
        except verify.Fail as failure:
            return f"[{rule}]" in str(failure)
        return False

    # --- GTINs and lots (§13.6) --------------------------------------------------------------
    check("GTINs with hand-computed check digits are valid (and 14 zeros: check digit 0)",
          all(lots.gtin_valid(g) for g in (GTIN_A, GTIN_B, GTIN_C, "0" * 14)))
    check("a wrong check digit, 13 or 15 digits, a letter, a space: invalid GTINs",
          not any(lots.gtin_valid(g) for g in ("09506000134353", "9506000134352", "009506000134352",
                                                "0950600013435A", " 9506000134352")))
    check("lots: 1-20 bytes each 0x21-0x7E", all(lots.lot_valid(x) for x in ("L", "L1", "!~", "A" * 20))
          and not any(lots.lot_valid(x) for x in ("", "L 1", "A" * 21, "L\x7f", "É", "L\t1")))

    # --- decoding (§13.1, §13.2) --------------------------------------------------------------------
    one = [(0, GTIN_A, "L1", EXPIRY, 4)]
    check("stock-receive v3 decodes: version 1's fields, no invoice, its lots",
          pos.decode(pos.RECEIVE, receive3("DO-1", [("MILK", 10)], one))
          == ("DO-1", [("MILK", 10)], None, [(0, GTIN_A, "L1", EXPIRY, 4)]))
    check("stock-receive v4 decodes: version 2's fields (the costed lines as stock lines), its lots",
          pos.decode(pos.RECEIVE, receive4("DO-2", [("MILK", 10, 120)], "Acme", 108, one))
          == ("DO-2", [("MILK", 10)], {"lines": [("MILK", 10, 120)], "supplier": "Acme", "input_gst": 108}, one))
    check("stock-receive v3 and v4 with no lot, and version 5: decoding errors",
          not decodes(pos.RECEIVE, receive3("DO-1", [("MILK", 10)], []))
          and not decodes(pos.RECEIVE, receive4("DO-2", [("MILK", 10, 120)], "Acme", 108, []))
          and not decodes(pos.RECEIVE, u8(5) + receive3("DO-1", [("MILK", 10)], one)[1:]))
    check("a version-1 stock-receive followed by lots is a decoding error (trailing bytes)",
          not decodes(pos.RECEIVE, u8(1) + receive3("DO-1", [("MILK", 10)], one)[1:]))
    check("transfer v2 decodes with its lots; v1 has none",
          pos.decode(pos.TRANSFER_OUT, transfer(b"T" * 16, 2, [("MILK", 3)], [(0, GTIN_A, "L1", 0, 3)]))
          == (b"T" * 16, 2, [("MILK", 3)], [(0, GTIN_A, "L1", 0, 3)])
          and pos.decode(pos.TRANSFER_IN, transfer(b"T" * 16, 2, [("MILK", 3)])) == (b"T" * 16, 2, [("MILK", 3)], []))
    check("transfer v2 with no lot, and transfer version 3: decoding errors",
          not decodes(pos.TRANSFER_OUT, transfer(b"T" * 16, 2, [("MILK", 3)], []))
          and not decodes(pos.TRANSFER_IN, u8(3) + transfer(b"T" * 16, 2, [("MILK", 3)], one)[1:]))
    ascending = [(0, GTIN_B, "L1", 0, 1), (0, GTIN_A, "L1", 0, 1), (0, GTIN_A, "L1X", 0, 1), (1, GTIN_B, "A", 0, 1)]
    check("entries strictly ascending by (line index, GTIN bytes, lot bytes) decode (\"L1\" before \"L1X\")",
          decodes(pos.RECEIVE, receive3("DO", [("MILK", 5), ("BREAD", 5)], ascending)))
    for name, bad in (("a lower line index after a higher", [(1, GTIN_A, "L1", 0, 1), (0, GTIN_A, "L1", 0, 1)]),
                      ("GTIN A before GTIN B (\"09…\" > \"00…\")", [(0, GTIN_A, "L1", 0, 1), (0, GTIN_B, "L1", 0, 1)]),
                      ("lot L1X before L1", [(0, GTIN_A, "L1X", 0, 1), (0, GTIN_A, "L1", 0, 1)]),
                      ("the same triple twice (other expiry and quantity)",
                       [(0, GTIN_A, "L1", 0, 1), (0, GTIN_A, "L1", EXPIRY, 2)])):
        check(f"lots not ascending, {name}: decoding error (rule 1)",
              not decodes(pos.RECEIVE, receive3("DO", [("MILK", 5), ("BREAD", 5)], bad))
              and machine().apply(pos.RECEIVE, receive3("DO", [("MILK", 5), ("BREAD", 5)], bad)) == 1)
    check("a GTIN of 15 bytes or a lot of 21 bytes does not decode (string(14), string(20)): rule 1, not 17",
          machine().apply(pos.RECEIVE, receive3("DO", [("MILK", 5)], [(0, "0" + GTIN_A, "L1", 0, 1)])) == 1
          and machine().apply(pos.RECEIVE, receive3("DO", [("MILK", 5)], [(0, GTIN_A, "L" * 21, 0, 1)])) == 1)
    check("a lot list of 1001 entries does not decode (list(1000))",
          not decodes(pos.RECEIVE, u8(3) + enc_str("DO") + stock_lines([("MILK", 5)]) + u32b(1001)))
    check("an empty-lots version is rule 1 through the state machine too",
          machine().apply(pos.RECEIVE, receive3("DO", [("MILK", 5)], [])) == 1
          and machine().apply(pos.TRANSFER_OUT, transfer(b"T" * 16, 2, [("MILK", 3)], [])) == 1)

    sale_lots = [(0, GTIN_A, "L1", EXPIRY, 2)]
    body6 = sale6(1, [milk(2, 41)], 41, 500, [card(500)], sale_lots)
    decoded = pos.decode(pos.SALE, body6)
    check("a version-6 sale decodes: empty rule record, skip list and codes, then its lots",
          decoded["lots"] == sale_lots and decoded["record"] is None and decoded["skipped"] == []
          and decoded["codes"] == [] and body6[0] == 6)
    check("a version-6 sale encodes back to itself (§13.1: one encoding)", pos.enc_sale_body(decoded) == body6)
    check("a version-6 sale without lots, and a sale version 7: decoding errors",
          not decodes(pos.SALE, sale6(1, [milk(2, 41)], 41, 500, [card(500)], []))
          and not decodes(pos.SALE, u8(7) + body6[1:]))
    check("a version-6 sale may carry promotion codes before its lots",
          pos.decode(pos.SALE, u8(6) + sale_body(1, [milk(2, 41)], 900, 500, 0, 41, 500, [card(500)],
                                                 codes=["SPRING"])[1:] + lots_bytes(sale_lots))["codes"] == ["SPRING"])
    check("sales of versions 1-5 decode with no lots",
          pos.decode(pos.SALE, sale_body(1, [milk(2, 41)], 900, 500, 0, 41, 500, [card(500)], version=1))["lots"] == [])

    # --- a recall (§9.8): its id and signature --------------------------------------------------------
    r1 = recall(1, GTIN_A, "L1", "listeria")
    r1_fields = (u8(1) + GENESIS_ID + u64b(1) + u32b(14) + GTIN_A.encode() + u32b(2) + b"L1" + u32b(8) + b"listeria"
                 + ADMIN_KEY)
    check("a recall's bytes: 1 + 32 + 8 + (4+14) + (4+2) + (4+8) + 32 + 64 = 173",
          len(r1) == 173 and r1[:-64] == r1_fields)
    parsed = lots.read_recall(verify.Reader(r1))
    check("a recall's id is SHA-256(\"SGPOS/recall/v1\" ‖ 0x00 ‖ its bytes, signature included)",
          parsed["id"] == hashlib.sha256(b"SGPOS/recall/v1\x00" + r1).digest() and parsed["bytes"] == r1)
    check("its signature verifies (PyNaCl) over \"SGPOS/recall-sig/v1\" ‖ 0x00 ‖ the fields before it",
          nacl.signing.VerifyKey(ADMIN_KEY).verify(b"SGPOS/recall-sig/v1\x00" + r1_fields, r1[-64:])
          and parsed["signed"] == b"SGPOS/recall-sig/v1\x00" + r1_fields)
    g = {"id": GENESIS_ID, "admins": [("admin", ADMIN_KEY)]}
    check("a genesis admin's recall is valid", lots.recall_problem(parsed, g) is None)

    def problem(raw):
        return lots.recall_problem(lots.read_recall(verify.Reader(raw)), g)
    tampered = r1[:-64 - 32 - 1] + b"X" + r1[-64 - 32:]       # the reason's last byte changed after signing
    check("a recall is invalid: signature over other bytes, another chain, a signer that is no genesis admin, "
          "a bad GTIN, a bad lot, an empty reason, a tab or DEL in the reason",
          all(problem(raw) is not None for raw in (
              tampered,
              recall(1, GTIN_A, "L1", chain=b"\x01" * 32),
              recall(1, GTIN_A, "L1", signer=STRANGER),
              recall(1, "09506000134353", "L1"),
              recall(1, GTIN_A, "L 1"),
              recall(1, GTIN_A, "L1", reason=""),
              recall(1, GTIN_A, "L1", reason="bad\tbatch"),
              recall(1, GTIN_A, "L1", reason="bad\x7f"))))
    check("a recall's reason of 128 bytes is valid", problem(recall(1, GTIN_A, "L1", reason="r" * 128)) is None)

    # --- apply-recall (§13.1 0x0125, §13.6) ----------------------------------------------------------
    check("apply-recall decodes: checkpoint, the recall", pos.decode(pos.APPLY_RECALL, apply_recall(3, r1))["checkpoint"] == 3
          and pos.decode(pos.APPLY_RECALL, apply_recall(3, r1))["recall"]["id"] == recall_id(r1))
    check("apply-recall of version 2, a byte short, a byte more, a recall of version 2: decoding errors",
          not decodes(pos.APPLY_RECALL, apply_recall(3, r1, version=2))
          and not decodes(pos.APPLY_RECALL, apply_recall(3, r1)[:-1])
          and not decodes(pos.APPLY_RECALL, apply_recall(3, r1) + b"\0")
          and not decodes(pos.APPLY_RECALL, apply_recall(3, recall(1, GTIN_A, "L1", version=2))))
    m = machine()
    check("apply-recall signed by a till, an admin or an auditor: 10",
          m.till(pos.APPLY_RECALL, apply_recall(3, r1)) == 10
          and m.apply(pos.APPLY_RECALL, apply_recall(3, r1), pos.ROLE_ADMIN) == 10
          and m.apply(pos.APPLY_RECALL, apply_recall(3, r1), 5) == 10)
    check("a malformed apply-recall is 1 whoever signs it (the till too)",
          m.till(pos.APPLY_RECALL, apply_recall(3, r1) + b"\0") == 1)
    check("§9.8: an apply-recall carrying a recall of version 2 is 1 (a decoding error), not 17",
          m.apply(pos.APPLY_RECALL, apply_recall(3, recall(1, GTIN_A, "L1", version=2)), pos.ROLE_NODE) == 1
          and m.apply(pos.APPLY_RECALL, apply_recall(3, recall(1, GTIN_A, "L1", version=0))) == 1)
    def stale(mm, body, role):
        """The transaction stamped 300 001 ms after its block (t > block time + 300 000): 319."""
        ctx = pos.Context(State(mm.state), mm.g, OUTLET, {"role": role, "principal": "x"}, b"\1" * 32, b"\7" * 32,
                          T0 + 300_001)
        ctx.block_time, ctx.height = T0, mm.n + 1
        try:
            pos.apply(ctx, pos.APPLY_RECALL, body)
        except Reject as rejection:
            return rejection.code
        return 0
    check("apply-recall outside the time window is 319, before the role (a till's too)",
          stale(m, apply_recall(3, r1), pos.ROLE_TILL) == 319
          and stale(m, apply_recall(3, r1), pos.ROLE_NODE) == 319)
    check("apply-recall of an invalid recall is 17 (node key or operator)",
          m.apply(pos.APPLY_RECALL, apply_recall(3, tampered), pos.ROLE_NODE) == 17
          and m.apply(pos.APPLY_RECALL, apply_recall(3, recall(1, GTIN_A, "L1", signer=STRANGER))) == 17
          and m.apply(pos.APPLY_RECALL, apply_recall(3, recall(1, GTIN_A, "L1", chain=b"\x01" * 32))) == 17)
    check("the node key applies the recall carried by checkpoint 3", m.apply(pos.APPLY_RECALL, apply_recall(3, r1),
                                                                                pos.ROLE_NODE) == 0)
    check("it writes recalls[GTIN ‖ lot] = 1 ‖ recall id ‖ u64 3 ‖ string reason, and nothing else",
          m.state.get(recall_key(GTIN_A, "L1")) == u8(1) + recall_id(r1) + u64b(3) + u32b(8) + b"listeria"
          and m.written == [recall_key(GTIN_A, "L1")])
    check("the same recall again, or a second recall of the lot (another serial): 326, by an operator too",
          m.apply(pos.APPLY_RECALL, apply_recall(3, r1), pos.ROLE_NODE) == 326
          and m.apply(pos.APPLY_RECALL, apply_recall(4, recall(2, GTIN_A, "L1", "again"))) == 326)
    check("a recall of another lot of the same GTIN by an operator is accepted",
          m.apply(pos.APPLY_RECALL, apply_recall(4, recall(3, GTIN_A, "L2", "mould"))) == 0
          and m.state.get(recall_key(GTIN_A, "L2")) == u8(1) + recall_id(recall(3, GTIN_A, "L2", "mould")) + u64b(4)
          + u32b(5) + b"mould")

    # --- the envelope (§7.1, §8.2 rules 18 and 10) ------------------------------------------------------
    nodes = [nacl.signing.SigningKey(bytes([20 + i]) * 32) for i in range(2)]
    till_key = bytes(nacl.signing.SigningKey(bytes([30]) * 32).verify_key)
    eg = {"chain": "lots-test", "id": GENESIS_ID, "admins": [("admin", ADMIN_KEY)], "overlap_max": 0,
          "outlets": [(1, "one", bytes(nodes[0].verify_key)), (2, "two", bytes(nodes[1].verify_key))],
          "gst_rates": [("2024-01-01", 900)], "gst_method": 2}

    def envelope(signer, kind, body, outlet=1):
        state = verify.Overlay(dict(verify.genesis_writes(eg)))
        state.put(verify.k_key(till_key), verify.key_record(3, 1, TILL))
        tx = {"chain": eg["chain"], "outlet": outlet, "signer": signer, "sequence": 1, "id": b"\x05" * 32, "time": T0,
              "parsed": ("application", kind, body)}
        try:
            verify.apply_tx(tx, state, eg, outlet, T0, 1)
        except Reject as rejection:
            return rejection.code
        return 0
    body = apply_recall(1, r1)
    check("§8.2: the outlet's own node key may sign apply-recall",
          envelope(bytes(nodes[0].verify_key), pos.APPLY_RECALL, body) == 0)
    check("§8.2 rule 10: another outlet's node key may not (its key record's outlet is not the chain's)",
          envelope(bytes(nodes[1].verify_key), pos.APPLY_RECALL, body) == 10)
    check("§8.2 rule 18: a node key signing any other POS body (a stock receipt)",
          envelope(bytes(nodes[0].verify_key), pos.RECEIVE, receive3("DO", [("MILK", 1)], one)) == 18)
    check("a till key may not sign apply-recall: 10", envelope(till_key, pos.APPLY_RECALL, body) == 10)

    # --- stock-receive with lots: the checks (17) and the lot record -----------------------------------
    m = machine()
    check("a v3 receipt of an unpriced SKU is 300 (the version's own checks before the lots)",
          m.apply(pos.RECEIVE, receive3("DO", [("TEA", 5)], [(0, "bad", "L1", 0, 1)])) == 300)
    check("a v4 receipt with a unit cost over 100 000 000 is 17 before its lots are looked at",
          m.apply(pos.RECEIVE, receive4("DO", [("MILK", 5, 100_000_001)], "Acme", 0, one)) == 17)
    for name, entries, lines in (
            ("line index 1 of a one-line receipt", [(1, GTIN_A, "L1", 0, 1)], [("MILK", 5)]),
            ("a wrong check digit", [(0, "09506000134353", "L1", 0, 1)], [("MILK", 5)]),
            ("a 13-digit GTIN", [(0, "9506000134352", "L1", 0, 1)], [("MILK", 5)]),
            ("a GTIN with a letter", [(0, "0950600013435A", "L1", 0, 1)], [("MILK", 5)]),
            ("an empty lot", [(0, GTIN_A, "", 0, 1)], [("MILK", 5)]),
            ("a lot with a space", [(0, GTIN_A, "L 1", 0, 1)], [("MILK", 5)]),
            ("a lot with a non-ASCII letter", [(0, GTIN_A, "É", 0, 1)], [("MILK", 5)]),
            ("expiry -1", [(0, GTIN_A, "L1", -1, 1)], [("MILK", 5)]),
            ("expiry 2 932 897", [(0, GTIN_A, "L1", 2_932_897, 1)], [("MILK", 5)]),
            ("quantity 0", [(0, GTIN_A, "L1", 0, 0)], [("MILK", 5)]),
            ("quantity -1", [(0, GTIN_A, "L1", 0, -1)], [("MILK", 5)]),
            ("quantity 10 000 001", [(0, GTIN_A, "L1", 0, 10_000_001)], [("MILK", 10_000_000)]),
            ("a line's entries adding up to 6 of 5", [(0, GTIN_A, "L1", 0, 3), (0, GTIN_A, "L2", 0, 3)], [("MILK", 5)]),
            ("a bad entry after a good one", [(0, GTIN_A, "L1", 0, 1), (0, GTIN_A, "M 2", 0, 1)], [("MILK", 5)])):
        check(f"lots checked: {name} is 17", m.apply(pos.RECEIVE, receive3("DO", lines, entries)) == 17)
    check("a refused receipt wrote nothing (no stock either)", pos.stock(m.state, OUTLET, "MILK") == 0)
    check("expiry 2 932 896 (9999-12-31), quantity 10 000 000 and entries adding up to the line: accepted",
          fork(m).apply(pos.RECEIVE, receive3("DO", [("MILK", 10_000_000)], [(0, GTIN_A, "L1", 2_932_896, 10_000_000)]))
          == 0 and fork(m).apply(pos.RECEIVE, receive3("DO", [("MILK", 5)], [(0, GTIN_A, "L1", 0, 2),
                                                                           (0, GTIN_A, "L2", 0, 3)])) == 0)
    check("a receipt of 10 MILK, 4 from lot L1 expiring on day 20 500, is accepted",
          m.apply(pos.RECEIVE, receive3("DO-1", [("MILK", 10)], one)) == 0)
    check("the lot record: 1 ‖ \"MILK\" ‖ expiry 20 500 ‖ received 4 ‖ 0 ‖ 0 ‖ 0 (units without an entry have no lot)",
          m.state.get(lot_key(GTIN_A, "L1")) == u8(1) + u32b(4) + b"MILK" + i64(EXPIRY) + i64(4) + i64(0) + i64(0)
          + i64(0) and pos.stock(m.state, OUTLET, "MILK") == 10)
    check("the receipt wrote the stock and the lot",
          sorted(m.written) == sorted([pos.k_stock(OUTLET, "MILK"), lot_key(GTIN_A, "L1")]))
    check("the lot is MILK's: an entry on a BREAD line is 17",
          m.apply(pos.RECEIVE, receive3("DO-2", [("MILK", 1), ("BREAD", 2)], [(1, GTIN_A, "L1", 0, 2)])) == 17)
    check("a lot has one expiry: receiving it with expiry 20 501 is 17",
          m.apply(pos.RECEIVE, receive3("DO-2", [("MILK", 2)], [(0, GTIN_A, "L1", EXPIRY + 1, 2)])) == 17)
    check("receiving it with expiry 0 (not known) keeps 20 500: received 6",
          m.apply(pos.RECEIVE, receive3("DO-2", [("MILK", 2)], [(0, GTIN_A, "L1", 0, 2)])) == 0
          and m.state.get(lot_key(GTIN_A, "L1")) == lot_record("MILK", EXPIRY, received=6))
    check("a lot first received without an expiry takes the first expiry given later",
          m.apply(pos.RECEIVE, receive3("DO-3", [("BREAD", 5)], [(0, GTIN_B, "B7", 0, 5)])) == 0
          and m.state.get(lot_key(GTIN_B, "B7")) == lot_record("BREAD", 0, received=5)
          and m.apply(pos.RECEIVE, receive3("DO-4", [("BREAD", 1)], [(0, GTIN_B, "B7", 20_600, 1)])) == 0
          and m.state.get(lot_key(GTIN_B, "B7")) == lot_record("BREAD", 20_600, received=6))
    check("a v4 receipt's entries index its costed lines: received into lot C/X9 of BREAD",
          m.apply(pos.RECEIVE, receive4("DO-5", [("MILK", 1, 120), ("BREAD", 3, 90)], "Acme", 34,
                                        [(1, GTIN_C, "X9", 20_700, 3)])) == 0
          and m.state.get(lot_key(GTIN_C, "X9")) == lot_record("BREAD", 20_700, received=3))
    big = fork(m)
    big.state[lot_key(GTIN_A, "L9")] = lot_record("MILK", 0, received=10 ** 12 - 5)
    check("a lot total past 10^12 is 17 (received 10^12 - 5 + 6); up to 10^12 accepted",
          big.apply(pos.RECEIVE, receive3("DO", [("MILK", 6)], [(0, GTIN_A, "L9", 0, 6)])) == 17
          and big.apply(pos.RECEIVE, receive3("DO", [("MILK", 5)], [(0, GTIN_A, "L9", 0, 5)])) == 0
          and big.state[lot_key(GTIN_A, "L9")] == lot_record("MILK", 0, received=10 ** 12))
    # §13.6 lots checked: the line's SKU is also the SKU of the line of every earlier entry of the
    # body with the same GTIN and lot, so a lot the body creates names one SKU too.
    two = fork(m)
    check("a new lot named on a MILK and a BREAD line of one receipt: 17 (the later entry), nothing written",
          two.apply(pos.RECEIVE, receive3("DO", [("MILK", 1), ("BREAD", 1)],
                                          [(0, GTIN_A, "N1", 0, 1), (1, GTIN_A, "N1", 0, 1)])) == 17
          and lot_key(GTIN_A, "N1") not in two.state
          and pos.stock(two.state, OUTLET, "BREAD") == pos.stock(m.state, OUTLET, "BREAD"))
    check("... also when the lines are the other way round (a BREAD line first), and in a v4 receipt",
          fork(m).apply(pos.RECEIVE, receive3("DO", [("BREAD", 1), ("MILK", 1)],
                                          [(0, GTIN_A, "N1", 0, 1), (1, GTIN_A, "N1", 0, 1)])) == 17
          and fork(m).apply(pos.RECEIVE, receive4("DO", [("MILK", 1, 100), ("BREAD", 1, 100)], "Acme", 0,
                                              [(0, GTIN_A, "N1", 0, 1), (1, GTIN_A, "N1", 0, 1)])) == 17)
    check("the same GTIN with another lot on the other line is accepted (the check is per GTIN and lot)",
          fork(m).apply(pos.RECEIVE, receive3("DO", [("MILK", 1), ("BREAD", 1)],
                                              [(0, GTIN_A, "N1", 0, 1), (1, GTIN_A, "N2", 0, 1)])) == 0)
    check("lots.check_lots: an earlier entry on a line of another SKU is 17; of the same SKU, accepted",
          rejects(17, lots.check_lots, State(), [(0, GTIN_A, "N1", 0, 1), (1, GTIN_A, "N1", 0, 1)],
                  [("MILK", 1), ("BREAD", 1)])
          and lots.check_lots(State(), [(0, GTIN_A, "N1", 0, 1), (1, GTIN_A, "N1", 0, 1)],
                              [("MILK", 1), ("MILK", 1)]) is None)

    # --- transfers version 2 ---------------------------------------------------------------------
    tid = bytes(range(16))
    out_lots = [(0, GTIN_A, "L1", 0, 2)]
    check("a v2 transfer-out whose lot is another SKU's is 17",
          m.apply(pos.TRANSFER_OUT, transfer(tid, 2, [("BREAD", 2)], [(0, GTIN_A, "L1", 0, 2)])) == 17)
    check("a v2 transfer-out with a bad counterpart is 17, with an unpriced SKU 300 (§13.5's checks first)",
          m.apply(pos.TRANSFER_OUT, transfer(tid, 1, [("MILK", 2)], out_lots)) == 17
          and m.apply(pos.TRANSFER_OUT, transfer(tid, 2, [("TEA", 2)], [(0, "bad", "L1", 0, 2)])) == 300)
    check("a v2 transfer-out of 3 MILK, 2 from lot L1, to outlet 2 is accepted",
          m.apply(pos.TRANSFER_OUT, transfer(tid, 2, [("MILK", 3)], out_lots)) == 0)
    check("the transfer record is version 2: 2 ‖ outlet 1 ‖ counterpart 2 ‖ stock lines ‖ the lots",
          m.state.get(b"\x16" + tid + u8(1)) == u8(2) + u32b(1) + u32b(2) + u32b(1) + u32b(4) + b"MILK" + i64(3)
          + u32b(1) + u32b(0) + u32b(14) + GTIN_A.encode() + u32b(2) + b"L1" + i64(0) + i64(2))
    check("the lot moved out: transferred out 2", m.state.get(lot_key(GTIN_A, "L1"))
          == lot_record("MILK", EXPIRY, received=6, transferred_out=2))
    check("the transfer-out wrote the stock, the lot and the transfer record",
          sorted(m.written) == sorted([pos.k_stock(OUTLET, "MILK"), lot_key(GTIN_A, "L1"), b"\x16" + tid + u8(1)]))
    check("a transfer-in of the same id on this chain is 315 (the version-2 record is read, never passes)",
          m.apply(pos.TRANSFER_IN, transfer(tid, 2, [("MILK", 3)], out_lots)) == 315)
    check("a v2 transfer-out naming one new lot on a MILK and a BREAD line is 17",
          fork(m).apply(pos.TRANSFER_OUT, transfer(bytes([4]) * 16, 2, [("MILK", 1), ("BREAD", 1)],
                                                   [(0, GTIN_C, "N5", 0, 1), (1, GTIN_C, "N5", 0, 1)])) == 17)
    # §13.5 transfers: the other direction's record must have equal lines and lots (§13.6), else
    # 315. Such a record never passes on a real chain (this outlet wrote it); made up here as the
    # counterpart's half (outlet 2, counterpart 1), written by hand.
    tid3 = bytes([5]) * 16
    half = u32b(2) + u32b(1) + stock_lines([("MILK", 3)])
    for name, record, body, code in (
            ("equal lines and lots: accepted", u8(2) + half + lots_bytes(out_lots),
             transfer(tid3, 2, [("MILK", 3)], out_lots), 0),
            ("equal lines, another lot: 315", u8(2) + half + lots_bytes([(0, GTIN_A, "L2", 0, 2)]),
             transfer(tid3, 2, [("MILK", 3)], out_lots), 315),
            ("equal lines, another quantity of the lot: 315", u8(2) + half + lots_bytes([(0, GTIN_A, "L1", 0, 1)]),
             transfer(tid3, 2, [("MILK", 3)], out_lots), 315),
            ("a version-1 half (no lots) and a v2 body: 315", u8(1) + half,
             transfer(tid3, 2, [("MILK", 3)], out_lots), 315),
            ("a version-2 half and a v1 body (no lots): 315", u8(2) + half + lots_bytes(out_lots),
             transfer(tid3, 2, [("MILK", 3)]), 315),
            ("version-1 half and v1 body, equal lines: accepted", u8(1) + half, transfer(tid3, 2, [("MILK", 3)]), 0)):
        x = fork(m)
        x.state[b"\x16" + tid3 + u8(1)] = record
        check(f"transfer-in against the other half's record, {name}", x.apply(pos.TRANSFER_IN, body) == code)
    tid2 = bytes([9]) * 16
    check("a v2 transfer-in from outlet 3 into a new lot Z of BREAD: transferred in 4, expiry from the entry",
          m.apply(pos.TRANSFER_IN, transfer(tid2, 3, [("BREAD", 4)], [(0, GTIN_C, "Z", 20_800, 4)])) == 0
          and m.state.get(lot_key(GTIN_C, "Z")) == lot_record("BREAD", 20_800, transferred_in=4))
    check("a v1 transfer writes a version-1 record and no lot",
          m.apply(pos.TRANSFER_OUT, transfer(bytes([7]) * 16, 2, [("BREAD", 1)])) == 0
          and m.state.get(b"\x16" + bytes([7]) * 16 + u8(1)) == u8(1) + u32b(1) + u32b(2) + u32b(1) + u32b(5)
          + b"BREAD" + i64(1) and not any(k[0] == 0x26 for k in m.written))

    # --- sales with lots (version 6) ------------------------------------------------------------------
    # MILK 2 × 250 and BREAD 1 × 300, prices including 9 % GST: per invoice tax(800) = 66, split
    # 500:300 → 41 and 24 with remainders 200 and 600, the cent to BREAD: 41 and 25 (per line the
    # same: tax(500) = 41, tax(300) = halfup(270000 / 10900) = 25).
    lines = [milk(2, 41), bread(1, 25)]
    entries = [(0, GTIN_A, "L1", EXPIRY, 2), (1, GTIN_B, "B7", 0, 1)]
    s = machine()
    s.state = State(m.state)
    s.n = m.n
    check("a v6 sale whose entry names line 2 of 2 lines is 17",
          s.till(pos.SALE, sale6(1, lines, 66, 800, [card(800)], [(2, GTIN_A, "L1", 0, 1)])) == 17)
    check("a v6 sale whose lot L1 (MILK's) is on the BREAD line is 17",
          s.till(pos.SALE, sale6(1, lines, 66, 800, [card(800)], [(1, GTIN_A, "L1", 0, 1)])) == 17)
    check("a v6 sale with 2 units of lot L1 on a line of 1 is 17",
          s.till(pos.SALE, sale6(1, [milk(1, 21)], 21, 250, [card(250)], [(0, GTIN_A, "L1", 0, 2)])) == 17)
    check("a v6 sale with a wrong receipt number is 303 before its lots (a bad GTIN)",
          s.till(pos.SALE, sale6(2, lines, 66, 800, [card(800)], [(0, "bad", "L1", 0, 1)])) == 303)
    check("a v6 sale with bad lots and wrong totals is 17: lots are checked before the sale is priced",
          s.till(pos.SALE, sale6(1, lines, 66, 801, [card(801)], [(0, "bad", "L1", 0, 1)])) == 17)
    check("a v6 sale signed by an operator is 10", s.apply(pos.SALE, sale6(1, lines, 66, 800, [card(800)], entries)) == 10)
    check("the v6 sale of 2 MILK from L1 and 1 BREAD from B7 is accepted",
          s.till(pos.SALE, sale6(1, lines, 66, 800, [card(800)], entries)) == 0)
    txid = bytes([s.n]) * 32
    check("lot L1: sold 2 (received 6, out 2 as before)",
          s.state.get(lot_key(GTIN_A, "L1")) == lot_record("MILK", EXPIRY, received=6, transferred_out=2, sold=2))
    check("lot B7: sold 1", s.state.get(lot_key(GTIN_B, "B7")) == lot_record("BREAD", 20_600, received=6, sold=1))
    check("lot sales key: 0x27 ‖ GTIN ‖ u8 2 ‖ \"L1\" ‖ transaction id (1 + 14 + 1 + 2 + 32 = 50 bytes), "
          "as pos.py writes it", lot_sale_key(GTIN_A, "L1", txid) == b"\x27" + b"09506000134352" + b"\x02" + b"L1" + txid
          and len(lot_sale_key(GTIN_A, "L1", txid)) == 50 and lots.k_lot_sale(GTIN_A, "L1", txid) == lot_sale_key(
              GTIN_A, "L1", txid))
    check("lot sales[L1] = 1 ‖ \"till-01\" ‖ receipt 1 ‖ no member ‖ quantity 2 ‖ t",
          s.state.get(lot_sale_key(GTIN_A, "L1", txid)) == u8(1) + u32b(7) + b"till-01" + u64b(1) + u32b(0) + i64(2)
          + i64(T0))
    check("lot sales[B7] = quantity 1", s.state.get(lot_sale_key(GTIN_B, "B7", txid)) == u8(1) + enc_str(TILL)
          + u64b(1) + enc_str("") + i64(1) + i64(T0))
    check("sale lots[txid] = the sale's lots (no version byte)", s.state.get(sale_lots_key(txid)) == lots_bytes(entries)
          and s.state.get(sale_lots_key(txid))[:4] == u32b(2))
    check("the sale also wrote its usual records: stock, books, shift, sale",
          {pos.k_stock(OUTLET, "MILK"), pos.k_stock(OUTLET, "BREAD"), pos.k_books(OUTLET), pos.k_sale(txid),
           b"\x13" + u32b(OUTLET) + TILL.encode()} | {lot_key(GTIN_A, "L1"), lot_key(GTIN_B, "B7"), sale_lots_key(txid),
                                                     lot_sale_key(GTIN_A, "L1", txid), lot_sale_key(GTIN_B, "B7", txid)}
          == set(s.written))
    sold_state = State(s.state)

    # Two lines of MILK from one lot: one lot sales record with the sum. MILK 1 and MILK 2:
    # tax(750) = 62 split 250:500 → 20 r500 and 41 r250, the cent to line 0: 21 and 41.
    both = [(0, GTIN_A, "L1", 0, 1), (1, GTIN_A, "L1", 0, 2)]
    check("a sale of two MILK lines, both from L1, is accepted",
          s.till(pos.SALE, sale6(2, [milk(1, 21), milk(2, 41)], 62, 750, [card(750)], both)) == 0)
    txid2 = bytes([s.n]) * 32
    check("one lot sales record for the distinct (GTIN, lot), quantity 1 + 2 = 3; L1 sold 2 + 3",
          s.state.get(lot_sale_key(GTIN_A, "L1", txid2)) == u8(1) + enc_str(TILL) + u64b(2) + enc_str("") + i64(3)
          + i64(T0) and [k for k in s.written if k[0] == 0x27] == [lot_sale_key(GTIN_A, "L1", txid2)]
          and s.state.get(lot_key(GTIN_A, "L1")) == lot_record("MILK", EXPIRY, received=6, transferred_out=2, sold=5))

    # §13.6: entries of one new lot on two lines of the same SKU are accepted; on lines of two
    # SKUs the later entry is 17. A lot record is never deleted, even when every total is 0 again.
    n = fork(s)
    check("a v6 sale naming a new lot N2 on a MILK and a BREAD line is 17",
          n.till(pos.SALE, sale6(3, lines, 66, 800, [card(800)], [(0, GTIN_A, "N2", 0, 2), (1, GTIN_A, "N2", 0, 1)]))
          == 17)
    check("a v6 sale naming a new lot N2 on two MILK lines is accepted; N2 is MILK's, sold 1 + 2",
          n.till(pos.SALE, sale6(3, [milk(1, 21), milk(2, 41)], 62, 750, [card(750)],
                                 [(0, GTIN_A, "N2", 0, 1), (1, GTIN_A, "N2", 20_900, 2)])) == 0
          and n.state.get(lot_key(GTIN_A, "N2")) == lot_record("MILK", 20_900, sold=3))
    check("its void brings every total of N2 back to 0: the record is kept (written, not deleted)",
          n.till(pos.VOID, u8(1) + bytes([n.n]) * 32 + enc_str("oops")) == 0
          and n.state.get(lot_key(GTIN_A, "N2")) == lot_record("MILK", 20_900) and lot_key(GTIN_A, "N2") in n.written)
    check("N2 is MILK's still: a receipt of it on a BREAD line is 17",
          n.apply(pos.RECEIVE, receive3("DO", [("BREAD", 1)], [(0, GTIN_A, "N2", 0, 1)])) == 17)

    # A training sale: checked, nothing written for its lots.
    t = fork(s)
    check("a training v6 sale with a bad lot is 17 (training sales are checked too)",
          t.till(pos.SALE, sale6(3, lines, 66, 800, [card(800)], [(0, "bad", "L1", 0, 1)], training=True)) == 17)
    check("a training v6 sale writes only books and shift",
          t.till(pos.SALE, sale6(3, lines, 66, 800, [card(800)], entries, training=True)) == 0
          and sorted(t.written) == sorted([pos.k_books(OUTLET), b"\x13" + u32b(OUTLET) + TILL.encode()]))

    # A recalled lot.
    check("the node key applies a recall of lot L1", s.apply(pos.APPLY_RECALL, apply_recall(5, r1), pos.ROLE_NODE) == 0)
    check("a sale from the recalled lot L1 is 325", s.till(pos.SALE, sale6(3, lines, 66, 800, [card(800)], entries)) == 325)
    check("a training sale from it is 325 too",
          s.till(pos.SALE, sale6(3, lines, 66, 800, [card(800)], entries, training=True)) == 325)
    check("a recalled lot and wrong totals: 325 (before pricing)",
          s.till(pos.SALE, sale6(3, lines, 66, 801, [card(801)], entries)) == 325)
    check("a recalled lot first and a bad GTIN later: 17 (every entry checked before the recalls)",
          s.till(pos.SALE, sale6(3, lines, 66, 800, [card(800)], [(0, GTIN_A, "L1", 0, 1), (1, "bad", "B7", 0, 1)]))
          == 17)
    check("a sale from lot B7 only is accepted; a stock receipt and a transfer of the recalled lot are not refused",
          s.till(pos.SALE, sale6(3, lines, 66, 800, [card(800)], entries[1:])) == 0
          and fork(s).apply(pos.RECEIVE, receive3("DO", [("MILK", 1)], [(0, GTIN_A, "L1", 0, 1)])) == 0
          and fork(s).apply(pos.TRANSFER_OUT, transfer(bytes([3]) * 16, 2, [("MILK", 1)], [(0, GTIN_A, "L1", 0, 1)])) == 0)

    # --- void (§13.6): lots back, lot sales and sale lots deleted -----------------------------------
    v = fork(s)
    v.state = State(sold_state)
    check("the void of the v6 sale is accepted", v.till(pos.VOID, u8(1) + txid + enc_str("wrong item")) == 0)
    check("lot L1 back to sold 0 (the record kept, written)",
          v.state.get(lot_key(GTIN_A, "L1")) == lot_record("MILK", EXPIRY, received=6, transferred_out=2, sold=0)
          and lot_key(GTIN_A, "L1") in v.written)
    check("lot B7 back to sold 0", v.state.get(lot_key(GTIN_B, "B7")) == lot_record("BREAD", 20_600, received=6))
    check("its lot sales records and sale lots deleted (writes)",
          all(k not in v.state and k in v.written for k in (lot_sale_key(GTIN_A, "L1", txid),
                                                            lot_sale_key(GTIN_B, "B7", txid), sale_lots_key(txid))))
    check("the sale record is marked voided as ever", pos.get_sale(v.state, txid)["voided"])
    plain = fork(v)
    check("a v1 sale and its void write no lot record",
          plain.till(pos.SALE, sale_body(2, [milk(2, 41)], 900, 500, 0, 41, 500, [card(500)], version=1)) == 0
          and plain.till(pos.VOID, u8(1) + bytes([plain.n]) * 32 + enc_str("oops")) == 0
          and not any(k[0] in (0x26, 0x27, 0x28) for k in plain.written))
    refund = fork(s)
    refund.state = State(sold_state)
    check("a refund of the v6 sale does not move lots (no lot written)",
          refund.till(pos.REFUND, u8(1) + txid + u64b(1) + enc_str("returned") + boolean(True) + u32b(1)
                      + u32b(0) + i64(1) + i64(250) + i64(21) + u32b(900) + i64(250) + i64(21) + i64(0) + u32b(1)
                      + card(250)) == 0
          and not any(k[0] in (0x26, 0x27, 0x28) for k in refund.written)
          and refund.state.get(lot_key(GTIN_A, "L1")) == sold_state.get(lot_key(GTIN_A, "L1")))

    # --- checkpoints of version 5 (§9.3) ----------------------------------------------------------------
    outlets = [(i, f"o{i}", bytes(nacl.signing.SigningKey(bytes([40 + i]) * 32).verify_key)) for i in range(1, 5)]
    cg = {"id": GENESIS_ID, "chain": "lots-test", "admins": [("admin", ADMIN_KEY)], "outlets": outlets,
          "validators": [], "time_bounds": (500, 2000, 3_600_000)}
    schedule = verify.ValidatorSchedule(cg)
    heads = u32b(4) + b"".join(u32b(i) + u64b(0) + GENESIS_ID for i in range(1, 5))
    roots = b"\xaa" * 32 + b"\xbb" * 32

    def value(version, recalls=None, agreed=1_800_000_000_000):
        out = u8(version) + (u64b(agreed) if version in (4, 5) else b"") + heads + u32b(0) + u32b(0) + u32b(0)
        if recalls is not None:
            out += u32b(len(recalls)) + b"".join(recalls)
        return out + roots
    r2 = recall(2, GTIN_B, "B7", "mislabelled allergen")
    two = sorted([r1, r2], key=recall_id)
    decoded = verify.decode_checkpoint_value(value(5, [r1]), cg, schedule, "checkpoint 1")
    check("a version-5 checkpoint value decodes: agreed time, the recall (its id and bytes), the roots",
          decoded["version"] == 5 and decoded["agreed"] == 1_800_000_000_000
          and [x["id"] for x in decoded["recalls"]] == [recall_id(r1)] and decoded["recalls"][0]["bytes"] == r1
          and decoded["history_root"] == b"\xaa" * 32 and decoded["network_root"] == b"\xbb" * 32)
    check("two recalls ascending by id decode",
          [x["id"] for x in verify.decode_checkpoint_value(value(5, two), cg, schedule, "c")["recalls"]]
          == sorted([recall_id(r1), recall_id(r2)]))
    check("versions 3 and 4 still decode, with no recall",
          verify.decode_checkpoint_value(value(3), cg, schedule, "c")["recalls"] == []
          and verify.decode_checkpoint_value(value(3), cg, schedule, "c")["agreed"] is None
          and verify.decode_checkpoint_value(value(4), cg, schedule, "c")["recalls"] == [])
    check("a version-5 value with an empty recall list is checkpoints/value",
          fails("checkpoints/value", verify.decode_checkpoint_value, value(5, []), cg, schedule, "c"))
    check("recalls not ascending by id, or one recall twice: checkpoints/value",
          fails("checkpoints/value", verify.decode_checkpoint_value, value(5, two[::-1]), cg, schedule, "c")
          and fails("checkpoints/value", verify.decode_checkpoint_value, value(5, [r1, r1]), cg, schedule, "c"))
    check("a recall of version 2 in a checkpoint is checkpoints/value",
          fails("checkpoints/value", verify.decode_checkpoint_value,
                value(5, [recall(1, GTIN_A, "L1", version=2)]), cg, schedule, "c"))
    check("an invalid recall (bad signature, another chain, no genesis admin, bad GTIN) is checkpoints/recall",
          all(fails("checkpoints/recall", verify.decode_checkpoint_value, value(5, [raw]), cg, schedule, "c")
              for raw in (tampered, recall(1, GTIN_A, "L1", chain=b"\x01" * 32), recall(1, GTIN_A, "L1", signer=STRANGER),
                          recall(1, "12345678901234", "L1"))))
    check("checkpoint version 6 is checkpoints/value",
          fails("checkpoints/value", verify.decode_checkpoint_value, u8(6) + value(5, [r1])[1:], cg, schedule, "c"))
    try:
        verify.decode_checkpoint_value(value(4, [r1]), cg, schedule, "c")
        trailing = False
    except ValueError:
        trailing = True
    check("a version-4 value followed by a recall list is refused (it does not decode)", trailing)

    # --- recall/checkpoint (§9.8) ---------------------------------------------------------------------
    tx = {"parsed": ("application", pos.APPLY_RECALL, apply_recall(7, r1))}
    check("an apply-recall transaction states (checkpoint 7, the recall id)",
          verify.recall_statement(tx) == (7, recall_id(r1))
          and verify.recall_statement({"parsed": ("application", pos.RECEIVE, b"")}) is None
          and verify.recall_statement({"parsed": ("register-key", b"", 3, "x")}) is None)
    listed = {7: {recall_id(r1)}, 8: set()}
    check("an apply-recall naming a checkpoint that carries its recall passes",
          verify.check_recall_statements([("outlet 1 height 3", 7, recall_id(r1))], listed) is None)
    check("naming a replayed checkpoint that does not carry it (another one's, or none) is recall/checkpoint",
          fails("recall/checkpoint", verify.check_recall_statements, [("w", 8, recall_id(r1))], listed)
          and fails("recall/checkpoint", verify.check_recall_statements, [("w", 7, recall_id(r2))], listed))
    check("a checkpoint the audit did not replay (9), or 0, is not checked",
          verify.check_recall_statements([("w", 9, recall_id(r2)), ("w", 0, recall_id(r2))], listed) is None)

    audit_store(check)

    return check.report()


if __name__ == "__main__":
    sys.exit(main())
