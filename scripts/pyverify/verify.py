#!/usr/bin/env python3
"""Independent verifier for SGPOS Ledger data, written from docs/FORMAT.md alone.

Usage: python3 scripts/pyverify/verify.py DATA_DIR [--genesis-id HEX] [--receipt PAYLOAD]

Reads DATA_DIR/ledger (LMDB) with the `lmdb` package, verifies signatures with PyNaCl
and hashes with hashlib, re-executes every outlet chain from the stored genesis and
compares every stored value with the replay (FORMAT.md §9). Exit 0 when everything
holds; exit 1 with one line naming outlet, height, transaction and rule otherwise.
It also reports, without changing the result, whether each file in DATA_DIR/evidence
proves its claim (FORMAT.md §9.7). With --receipt it checks a receipt QR payload
(FORMAT.md §14) against the verified data: exit 1 if it is not genuine.
"""
import hashlib
import json
import os
import struct
import sys
import zlib

import lmdb
import nacl.exceptions
import nacl.signing

import lots
import network
import pos
from common import Reader, Reject, enc_bytes, enc_str, u32b, u64b

EMPTY_ROOT = hashlib.sha256(b"").digest()


class Fail(Exception):
    """A broken rule: where and which."""

    def __init__(self, where, rule, message):
        super().__init__(f"{where}: [{rule}] {message}")


def tagged(tag, data):
    return hashlib.sha256(tag.encode() + b"\x00" + data).digest()


def verify_sig(key, message, signature):
    try:
        nacl.signing.VerifyKey(key).verify(message, signature)
        return True
    except (nacl.exceptions.BadSignatureError, ValueError):
        return False


# --- §1 canonical decoding -------------------------------------------------------

def valid_label(text, limit):
    raw = text.encode()
    return 0 < len(raw) <= limit and all(ord(c) >= 0x20 and ord(c) != 0x7F for c in text)


# --- §10 genesis, §3 transactions, §4 bodies, §5 blocks ------------------------------

def decode_genesis(data):
    r = Reader(data)
    version = r.u8()
    if version not in (1, 2):
        raise ValueError("genesis version")
    g = {"chain": r.string(64), "time": r.u64(), "block_max": r.u32(), "overlap_max": r.u64()}
    r.boolean()
    g["gst_method"] = r.u8()
    g["gst_rates"] = [(r.string(10), r.u32()) for _ in range(r.count(1024))]
    g["admins"] = [(r.string(128), r.take(32)) for _ in range(r.count(1024))]
    g["outlets"] = [(r.u32(), r.string(128), r.take(32)) for _ in range(r.count(1024))]
    g["validators"] = [(r.string(128), r.take(32), r.u64()) for _ in range(r.count(1024))]
    # Checkpoint-time bounds (FORMAT.md §10, CONSENSUS.md §11): version 2 states them.
    g["time_bounds"] = (r.u32(), r.u32(), r.u64()) if version == 2 else (500, 2000, 3_600_000)
    precision, delay, lag = g["time_bounds"]
    if version == 2 and not (1 <= precision <= 60000 and 1 <= delay <= 60000 and 1 <= lag <= 366 * 86_400_000):
        raise ValueError("genesis checkpoint time bounds out of range")
    r.finish()
    g["id"] = tagged("SGPOS/genesis/v1", data)
    return g


def decode_tx(data):
    if len(data) > 70000:
        raise ValueError("transaction over 70000 bytes")
    r = Reader(data)
    if r.u8() != 1:
        raise ValueError("transaction version")
    tx = {"chain": r.string(64), "outlet": r.u32(), "signer": r.take(32), "sequence": r.u64(),
          "idem": r.take(16), "time": r.u64(), "type": r.u16(), "body": r.bytes_(65536)}
    unsigned_end = r.at
    tx["signature"] = r.take(64)
    r.finish()
    tx["unsigned"] = data[:unsigned_end]
    tx["id"] = tagged("SGPOS/tx-id/v1", data)
    tx["parsed"] = decode_body(tx["type"], tx["body"])
    return tx


def decode_body(kind, body):
    r = Reader(body)
    if kind == 1:
        out = ("register-outlet", r.u32(), r.string(128), r.take(32))
    elif kind == 2:
        key, role, principal = r.take(32), r.u8(), r.string(64)
        if role not in (1, 2, 3, 4, 5):
            raise ValueError("role")
        out = ("register-key", key, role, principal)
    elif kind == 3:
        out = ("rotate-key", r.take(32), r.take(32), r.u64())
    elif kind == 4:
        key, reason = r.take(32), r.u16()
        if reason not in (1, 2, 3, 4):
            raise ValueError("revocation reason")
        out = ("revoke-key", key, reason)
    elif kind >= 0x0100:
        return ("application", kind, body)
    else:
        raise ValueError(f"body type {kind:#06x} undefined")
    r.finish()
    return out


def decode_header(r):
    if r.u8() != 1:
        raise ValueError("header version")
    h = {"chain": r.string(64), "outlet": r.u32(), "height": r.u64(), "prev": r.take(32), "time": r.u64(),
         "count": r.u32(), "tx_root": r.take(32), "history_root": r.take(32), "state_root": r.take(32),
         "producer": r.take(32)}
    return h


def decode_block(data):
    r = Reader(data)
    h = decode_header(r)
    h["bytes"] = data[:r.at]
    h["id"] = tagged("SGPOS/block-id/v1", h["bytes"])
    h["signature"] = r.take(64)
    n = r.count(65536)
    if n != h["count"]:
        raise ValueError("transaction count differs from header")
    txs = [decode_tx(r.bytes_(70000)) for _ in range(n)]
    r.finish()
    return h, txs


# --- §6 Merkle trees -----------------------------------------------------------------

def leaf_hash(data): return hashlib.sha256(b"\x00" + data).digest()
def node_hash(l, r): return hashlib.sha256(b"\x01" + l + r).digest()


def mth(leaves):
    if not leaves:
        return EMPTY_ROOT
    level = [leaf_hash(x) for x in leaves]
    return _root_of_hashes(level)


CHUNK_LEAVES = 64


def chunk_roots(ids):
    """The tx-tree value (§9.1): the roots of consecutive runs of 64 transaction ids (the
    last may be shorter), concatenated."""
    return b"".join(mth(ids[i:i + CHUNK_LEAVES]) for i in range(0, len(ids), CHUNK_LEAVES))


def _root_of_hashes(hashes):
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node_hash(_root_of_hashes(hashes[:k]), _root_of_hashes(hashes[k:]))


class CompactRange:
    def __init__(self):
        self.size, self.frontier = 0, []

    def append(self, leaf):
        """Appends a leaf hash; returns the (level, index, hash) nodes it completes."""
        h, index, level, nodes = leaf, self.size, 0, [(0, self.size, leaf)]
        while index & 1:
            h = node_hash(self.frontier.pop(), h)
            index >>= 1
            level += 1
            nodes.append((level, index, h))
        self.frontier.append(h)
        self.size += 1
        return nodes

    def root(self):
        if not self.frontier:
            return EMPTY_ROOT
        h = self.frontier[-1]
        for left in reversed(self.frontier[:-1]):
            h = node_hash(left, h)
        return h


# --- §7 state ------------------------------------------------------------------------

def key_record(role, outlet, principal, status=1, until=0, seq=0):
    return bytes([1, role]) + u32b(outlet) + enc_str(principal) + bytes([status]) + u64b(until) + u64b(seq)


def parse_key_record(data):
    r = Reader(data)
    if r.u8() != 1:
        raise ValueError("key record version")
    rec = {"role": r.u8(), "outlet": r.u32(), "principal": r.string(128), "status": r.u8(),
           "until": r.u64(), "seq": r.u64()}
    r.finish()
    return rec


def encode_key_record(rec):
    return key_record(rec["role"], rec["outlet"], rec["principal"], rec["status"], rec["until"], rec["seq"])


def outlet_record(name, node): return b"\x01" + enc_str(name) + node
def k_outlet(i): return b"\x01" + u32b(i)
def k_key(k): return b"\x02" + k
def k_principal(outlet, role, name): return b"\x03" + u32b(outlet) + bytes([role]) + name.encode()


def genesis_writes(g):
    w = {}
    for name, key in g["admins"]:
        w[k_key(key)] = key_record(1, 0, name)
        w[k_principal(0, 1, name)] = key
    for oid, name, node in g["outlets"]:
        w[k_outlet(oid)] = outlet_record(name, node)
        w[k_key(node)] = key_record(4, oid, "node")
        w[k_principal(oid, 4, "node")] = node
    return w


def write_set_hash(writes):
    out = u32b(len(writes))
    for key in sorted(writes):
        value = writes[key]
        out += enc_bytes(key) + (b"\x01" + enc_bytes(value) if value is not None else b"\x00")
    return tagged("SGPOS/write-set/v1", out)


def next_root(prev, ws_hash): return tagged("SGPOS/state-root/v1", prev + ws_hash)


class Overlay:
    def __init__(self, base):
        self.base, self.writes = base, {}

    def get(self, key):
        return self.writes[key] if key in self.writes else self.base.get(key)

    def put(self, key, value):
        self.writes[key] = value


# --- §8 rules ------------------------------------------------------------------------

def apply_tx(tx, state, g, outlet, block_time, height=0):
    if tx["chain"] != g["chain"]:
        raise Reject(2, "wrong chain")
    if tx["outlet"] != outlet:
        raise Reject(3, "wrong outlet")
    raw = state.get(k_key(tx["signer"]))
    if raw is None:
        raise Reject(5, "unknown signer")
    signer = parse_key_record(raw)
    if signer["status"] == 3:
        raise Reject(6, "signer revoked")
    if signer["status"] == 2 and block_time > signer["until"]:
        raise Reject(7, "signer retired")
    if signer["role"] == 4 and not (tx["parsed"][0] == "application"
                                    and tx["parsed"][1] in (pos.POINTS_SETTLE, pos.APPLY_RECALL)):
        raise Reject(18, "node key cannot sign")  # except a points settlement or an apply-recall (§13.1)
    if signer["role"] != 1 and signer["outlet"] != outlet:
        raise Reject(10, "key of another outlet")
    if tx["sequence"] <= signer["seq"]:
        raise Reject(8, "sequence not increasing")
    signer["seq"] = tx["sequence"]
    state.put(k_key(tx["signer"]), encode_key_record(signer))
    body = tx["parsed"]
    kind = body[0]
    if kind == "register-outlet":
        _, oid, name, node = body
        if signer["role"] != 1:
            raise Reject(10, "only admins register outlets")
        if oid == 0 or not valid_label(name, 128):
            raise Reject(17, "invalid outlet")
        if state.get(k_outlet(oid)) is not None:
            raise Reject(15, "outlet exists")
        if state.get(k_key(node)) is not None:
            raise Reject(11, "key exists")
        state.put(k_outlet(oid), outlet_record(name, node))
        state.put(k_key(node), key_record(4, oid, "node"))
        state.put(k_principal(oid, 4, "node"), node)
    elif kind == "register-key":
        _, key, role, principal = body
        if role not in (2, 3, 5):
            raise Reject(17, "role")
        if not (signer["role"] == 1 or (signer["role"] == 2 and role == 3)):
            raise Reject(10, "not authorised")
        if not valid_label(principal, 64):
            raise Reject(17, "principal")
        if state.get(k_key(key)) is not None:
            raise Reject(11, "key exists")
        pk = k_principal(outlet, role, principal)
        if state.get(pk) is not None:
            raise Reject(12, "principal has a key")
        state.put(k_key(key), key_record(role, outlet, principal))
        state.put(pk, key)
    elif kind in ("rotate-key", "revoke-key"):
        target_key = body[1]
        raw = state.get(k_key(target_key))
        if raw is None:
            raise Reject(13, "unknown key")
        target = parse_key_record(raw)
        if target["role"] not in (2, 3, 5) or target["outlet"] != outlet:
            raise Reject(10, "key not managed here")
        allowed = signer["role"] == 1 or (signer["role"] == 2 and target["role"] == 3)
        if kind == "rotate-key":
            allowed = allowed or tx["signer"] == target_key
        if not allowed:
            raise Reject(10, "not authorised")
        pk = k_principal(target["outlet"], target["role"], target["principal"])
        if kind == "rotate-key":
            _, old, new, until = body
            if target["status"] != 1:
                raise Reject(14, "key not active")
            if state.get(k_key(new)) is not None:
                raise Reject(11, "key exists")
            if until > block_time and until - block_time > g["overlap_max"]:
                raise Reject(17, "overlap too long")
            fresh = key_record(target["role"], target["outlet"], target["principal"])
            target["status"], target["until"] = 2, until
            state.put(k_key(old), encode_key_record(target))
            state.put(k_key(new), fresh)
            state.put(pk, new)
        else:
            if target["status"] == 3:
                raise Reject(14, "already revoked")
            target["status"] = 3
            state.put(k_key(target_key), encode_key_record(target))
            if state.get(pk) == target_key:
                state.put(pk, None)
    else:
        ctx = pos.Context(state, g, outlet, signer, tx["signer"], tx["id"], tx["time"])
        ctx.block_time = block_time
        ctx.height = height
        pos.apply(ctx, body[1], body[2])


# --- §9 the store --------------------------------------------------------------------

STORE_FORMAT = 6
COMPRESSED_STATE_TABLES = (0x15, 0x22)  # sales, sale pricing: stored compressed (§9.1)
REFERENCED_TABLE = 0x15  # sales: a record may be kept as a reference in its sale's tx-index entry (§9.1)


def inflate_stored(stored):
    """The bytes a compressed stored value holds (§9.1): u32 length n ‖ one or more
    segments (u32 length m ‖ m bytes of one zlib stream that ends there), inflating,
    concatenated, to exactly n bytes; ValueError otherwise. A segment after the first may
    use a preset dictionary: the last 32,768 bytes (or fewer) the first one inflates to."""
    if stored is None:
        return None
    if len(stored) <= 4:
        raise ValueError(f"compressed value of {len(stored)} bytes")
    n = struct.unpack(">I", stored[:4])[0]
    if n > (len(stored) - 4) * 1032:
        raise ValueError(f"compressed value states {n} bytes, more than 1032 times its stream")
    out, offset, dictionary = b"", 4, None
    while offset < len(stored):
        if len(stored) - offset < 4:
            raise ValueError("compressed value ends inside a segment length")
        m = struct.unpack(">I", stored[offset:offset + 4])[0]
        if m < 1 or m > len(stored) - offset - 4:
            raise ValueError(f"segment of {m} bytes where {len(stored) - offset - 4} remain")
        # zlib asks for the dictionary only when the stream's header says it has one (FDICT).
        inflater = zlib.decompressobj() if dictionary is None else zlib.decompressobj(zdict=dictionary)
        try:
            part = inflater.decompress(stored[offset + 4:offset + 4 + m], n - len(out) + 1)
        except zlib.error as error:
            raise ValueError(f"zlib: {error}")
        if not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
            raise ValueError("a segment is not one zlib stream ending it, or holds more than the stated length")
        out += part
        if dictionary is None:
            dictionary = out[-32768:]
        offset += 4 + m
    if offset == 4 or len(out) != n:
        raise ValueError(f"compressed value does not inflate to exactly its stated {n} bytes")
    return out


def stored_state_value(key, stored):
    """The state value a `state` entry holds: its key is the state key (table byte first)."""
    if stored is not None and key[0] in COMPRESSED_STATE_TABLES:
        return inflate_stored(stored)
    return stored


def verify(data_dir):
    env = lmdb.open(data_dir + "/ledger", readonly=True, lock=False, max_dbs=16, subdir=True)
    names = ["blocks", "tx-index", "idempotency", "history", "tx-tree", "state", "meta"]  # and network-sources, network: derived
    dbs = {n: env.open_db(n.encode(), create=False) for n in names}
    with env.begin() as txn:
        db = {n: dict(txn.cursor(dbs[n]).iternext()) for n in names}
    meta = db["meta"]
    if meta.get(b"format") != u32b(STORE_FORMAT):
        raise Fail("store", "store/meta", f"format is not {STORE_FORMAT}")
    g = decode_genesis(meta[b"genesis"])
    outlet_ids = {o[0] for o in g["outlets"]}
    for key in db["blocks"]:
        if struct.unpack(">I", key[:4])[0] not in outlet_ids:
            raise Fail("store", "store/blocks", f"block key {key.hex()} belongs to no genesis outlet")
    expected = {"blocks": 0, "tx-index": 0, "idempotency": 0, "history": 0, "tx-tree": 0, "state": 0,
                "meta": 3 if b"network" in meta else 2}
    total = 0
    block_sources, heights, recall_bodies = {}, {}, []
    for oid, _, _ in g["outlets"]:
        total += verify_chain(g, oid, db, expected, block_sources, heights, recall_bodies=recall_bodies)
    for name, count in expected.items():
        if len(db[name]) != count:
            raise Fail("store", f"store/{name}", f"{len(db[name])} entries, the chains account for {count}")
    checkpoints, roots = verify_checkpoints(env, g, db["blocks"], block_sources, heights, recall_bodies)
    g["tx-index"], g["blocks"] = db["tx-index"], db["blocks"]  # for --receipt (§14)
    if checkpoints:
        print(f"checkpoints: {checkpoints} final, each with precommits of more than 2/3 of its validators' voting power")
        print(f"network state: the roots of checkpoints 1-{roots} recomputed from the replayed chains and equal")
    return g, total


# --- §9 checkpoints (docs/CONSENSUS.md §2) --------------------------------------------

def decode_vote(r):
    v = {"chain": r.take(32), "kind": r.u8(), "height": r.u64(), "round": r.u32()}
    v["value_id"] = r.take(32) if r.boolean() else None
    v["validator"] = r.u16()
    v["signature"] = r.take(64)
    return v


def vote_signed_bytes(v):
    out = b"SGPOS/checkpoint-vote/v1\x00" + v["chain"] + bytes([v["kind"]]) + u64b(v["height"]) + u32b(v["round"])
    out += (b"\x01" + v["value_id"]) if v["value_id"] is not None else b"\x00"
    return out + struct.pack(">H", v["validator"])


def verify_checkpoints(env, g, blocks, block_sources, heights, recall_bodies=()):
    """Every stored commit certificate, from the genesis alone, and the network root of
    each checkpoint whose blocks this copy holds; returns both counts. `recall_bodies`:
    the replayed chains' apply-recall bodies (verify_chain), checked against the recalls
    of the checkpoints they name (§9.8 `recall/checkpoint`)."""
    outlets = sorted(g["outlets"])
    g["schedule"] = None  # the validator sets of the stored checkpoints (for evidence files, §9.7)
    if len(outlets) < 4:
        return 0, 0
    try:
        cdb = env.open_db(b"checkpoints", create=False)
    except lmdb.Error:
        return 0, 0
    state = network.NetworkState()
    root = tagged("SGPOS/network-root/v1", g["id"] + write_set_hash({}))
    roots_verified, replaying = 0, True
    history = CompactRange()
    position = None
    meta_db = env.open_db(b"meta", create=False)
    with env.begin() as txn:
        raw_position = txn.get(b"network", db=meta_db)
    at_height = struct.unpack(">Q", raw_position[:8])[0] if raw_position else 0
    if at_height == 0:
        position = (dict(state.state), {o[0]: 0 for o in outlets}, root)
    with env.begin() as txn:
        stored = list(txn.cursor(cdb).iternext())
    schedule = ValidatorSchedule(g)
    g["schedule"] = schedule
    statements = {}  # checkpoint height -> outlet -> (covered height, [granted, outstanding, losses])
    listed_recalls = {}  # checkpoint height -> the ids of the recalls it carries (replayed checkpoints)
    previous = None
    previous_time = None
    lags = {}  # outlet -> [blocks timed, largest (lag, height, block time, checkpoint, agreed), late windows]
    for index, (key, raw) in enumerate(stored):
        height = index + 1
        where = f"checkpoint {height}"
        if key != u64b(height):
            raise Fail(where, "checkpoints/sequence", "a gap or a duplicate")
        r = Reader(raw)
        cert = {"height": r.u64(), "round": r.u32(), "value": r.bytes_(1 << 20)}
        votes = [decode_vote(r) for _ in range(r.count(256))]
        r.finish()
        value_id = tagged("SGPOS/checkpoint-value/v1", cert["value"])
        keys, powers = schedule.at(height)
        signers, power = set(), 0
        for v in votes:
            ok = (v["chain"] == g["id"] and v["kind"] == 2 and v["height"] == height == cert["height"]
                  and v["round"] == cert["round"] and v["value_id"] == value_id and v["validator"] < len(keys)
                  and v["validator"] not in signers and verify_sig(keys[v["validator"]], vote_signed_bytes(v), v["signature"]))
            if not ok:
                raise Fail(where, "checkpoints/commit", f"precommit of validator {v['validator']} is not valid for this checkpoint")
            signers.add(v["validator"])
            power += powers[v["validator"]]
        if 3 * power <= 2 * sum(powers):
            raise Fail(where, "checkpoints/commit", f"precommits of power {power}; more than 2/3 of {sum(powers)} is needed")
        value = decode_checkpoint_value(cert["value"], g, schedule, where)
        agreed, heads, evidence, updates = value["agreed"], value["heads"], value["evidence"], value["updates"]
        grants, recalls = value["grants"], value["recalls"]
        history_root, claimed_root = value["history_root"], value["network_root"]
        if agreed is None and previous_time is not None:
            raise Fail(where, "checkpoints/time", "no agreed time after a checkpoint that had one")
        if agreed is not None and previous_time is not None and agreed <= previous_time:
            raise Fail(where, "checkpoints/time", f"agreed time {agreed} ms is not after the previous checkpoint's {previous_time} ms")
        previous_time = agreed if agreed is not None else previous_time
        try:
            schedule.record(height, [u[1] for u in updates])
        except ValueError as e:
            raise Fail(where, "checkpoints/validator-update", str(e))
        for uid, _ in updates:
            keys2, powers2 = schedule.at(height + 2)
            print(f"VALIDATOR CHANGE: checkpoint {height} carries validator update {uid.hex()}: from checkpoint {height + 2}, "
                  f"{len(keys2)} validators, total power {sum(powers2)}")
        for recall in recalls:
            print(f"RECALL: checkpoint {height} carries recall {recall['id'].hex()}: GTIN {recall['gtin']} "
                  f"lot {recall['lot']}: {recall['reason']}")
        if history_root != history.root():
            raise Fail(where, "checkpoints/history", "history root is not the tree over the checkpoints before it")
        history.append(leaf_hash(value_id))
        for _, kind, who, at in evidence:
            what = (f"outlet {who} signed two blocks at height {at}" if kind == 1
                    else f"validator {who} signed two votes at checkpoint height {at}" if kind == 2
                    else f"outlet {who} stamped block {at} before the agreed time it had acknowledged: its clock went back or stood still")
            print(f"EVIDENCE IN CHECKPOINT: checkpoint {height}: {what}")
        if [h[0] for h in heads] != [o[0] for o in outlets]:
            raise Fail(where, "checkpoints/value", "does not list every genesis outlet once, in order")
        for oid, h, block_id in heads:
            if previous is not None and h < previous[oid]:
                raise Fail(where, "checkpoints/monotonic", f"outlet {oid} goes back")
            held = blocks.get(u32b(oid) + u64b(h)) if h > 0 else None
            if held is not None and decode_block(inflate_stored(held))[0]["id"] != block_id:
                raise Fail(where, "checkpoints/branch", f"outlet {oid} height {h} is not the block this copy holds")
        before = previous or {oid: 0 for oid, _, _ in heads}
        covered = [(oid, before[oid] + 1, h) for oid, h, _ in heads if h > before[oid]]
        if agreed is not None:
            record_lags(lags, covered, blocks, agreed, height, g["time_bounds"])
        if replaying and all(last <= heights.get(oid, 0) for oid, _, last in covered):
            records = [(eid, u64b(height) + bytes([kind]) + u32b(who) + u64b(at)) for eid, kind, who, at in evidence]
            update_records = [(uid, u64b(height) + u64b(height + 2)) for uid, _ in updates]
            grant_records = [(gid, outlet, points, u64b(height)) for gid, outlet, points in grants]
            recall_records = [(recall["id"], u64b(height) + recall["bytes"]) for recall in recalls]
            writes = state.changes(covered, block_sources, records, update_records, grant_records, recall_records)
            root = tagged("SGPOS/network-root/v1", root + write_set_hash(writes))
            if root != claimed_root:
                raise Fail(where, "checkpoints/network-root", f"says {claimed_root.hex()}, the covered blocks give {root.hex()}")
            state.apply(writes)
            roots_verified += 1
            statements[height] = {oid: (h, network.allowance(state.state.get(network.allowance_key(oid))))
                                  for oid, h, _ in heads}
            listed_recalls[height] = {recall["id"] for recall in recalls}
            if height == at_height:
                position = (dict(state.state), {oid: h for oid, h, _ in heads}, root)
        else:
            replaying = False  # this copy does not hold every block the checkpoint covers
        previous = {oid: h for oid, h, _ in heads}
    print_lags(lags)
    check_network_copy(env, raw_position, position, block_sources, heights)
    check_claim_statements(block_sources, statements)
    check_recall_statements(recall_bodies, listed_recalls)
    for key in sorted(k for k in state.state if k[0] == network.NET_CLAIMS):
        halves = network.decode_claim(state.state[key])
        claimant, outstanding, loss = network.contribution(halves)
        status = ("settled without its claim" if halves[0] is None else "pending" if outstanding
                  else "paid" if loss == 0 else f"short by {loss}")
        print(f"POINTS CLAIM: {key[1:].hex()} by outlet {claimant}: {status} as of checkpoint {roots_verified}")
    return len(stored), roots_verified


def decode_checkpoint_value(raw, g, schedule, where):
    """A checkpoint value (§9.3): u8 version 3, 4 or 5 ‖ (4 and 5) agreed time ‖ heads ‖
    evidence ‖ validator updates ‖ allowance grants ‖ (5 only) product recalls, at least one ‖
    history root ‖ network root. Checks what needs no other checkpoint (the order of each list,
    evidence proofs, update and grant signatures, recall validity); returns the fields."""
    r = Reader(raw)
    version = r.u8()
    if version not in (3, 4, 5):
        raise Fail(where, "checkpoints/value", "version")
    value = {"version": version, "agreed": r.u64() if version in (4, 5) else None}
    value["heads"] = [(r.u32(), r.u64(), r.take(32)) for _ in range(r.count(1024))]
    value["evidence"] = evidence = [decode_evidence(r, g, schedule, where) for _ in range(r.count(16))]
    if [e[0] for e in evidence] != sorted({e[0] for e in evidence}):
        raise Fail(where, "checkpoints/value", "evidence does not ascend by id")
    value["updates"] = updates = [decode_validator_update(r, g, where) for _ in range(r.count(4))]
    if [u[0] for u in updates] != sorted({u[0] for u in updates}):
        raise Fail(where, "checkpoints/value", "validator updates do not ascend by id")
    value["grants"] = grants = [decode_allowance_grant(r, g, where) for _ in range(r.count(16))]
    if [x[0] for x in grants] != sorted({x[0] for x in grants}):
        raise Fail(where, "checkpoints/value", "allowance grants do not ascend by id")
    value["recalls"] = decode_recalls(r, g, where) if version == 5 else []
    value["history_root"] = r.take(32)
    value["network_root"] = r.take(32)
    r.finish()
    return value


def decode_recalls(r, g, where):
    """A version-5 checkpoint's product recalls (§9.3, §9.8): list(16), strictly ascending by
    recall id and at least one (else checkpoints/value), each valid (else checkpoints/recall)."""
    recalls = []
    for _ in range(r.count(16)):
        try:
            recall = lots.read_recall(r)
        except ValueError as error:   # UnicodeDecodeError included
            raise Fail(where, "checkpoints/value", f"a product recall does not decode: {error}")
        if recalls and recall["id"] <= recalls[-1]["id"]:
            raise Fail(where, "checkpoints/value", "product recalls do not ascend by id")
        problem = lots.recall_problem(recall, g)
        if problem is not None:
            raise Fail(where, "checkpoints/recall", f"recall {recall['id'].hex()}: {problem}")
        recalls.append(recall)
    if not recalls:
        raise Fail(where, "checkpoints/value", "a version-5 checkpoint without a product recall")
    return recalls


def check_recall_statements(recall_bodies, listed):
    """Every apply-recall body whose checkpoint the audit replayed names a checkpoint that lists
    its recall (§9.8 `recall/checkpoint`). `recall_bodies`: [(where, checkpoint, recall id)];
    `listed`: {replayed checkpoint height: the ids of its recalls}."""
    for where, checkpoint, recall_id in recall_bodies:
        if checkpoint in listed and recall_id not in listed[checkpoint]:
            raise Fail(where, "recall/checkpoint",
                       f"apply-recall of recall {recall_id.hex()} names checkpoint {checkpoint}, which does not carry it")


def record_lags(lags, covered, blocks, agreed, height, bounds):
    """Each newly covered block's lag behind the checkpoint's agreed time (CONSENSUS.md
    §11): the largest per outlet, and runs of consecutive blocks beyond the threshold."""
    precision, _, threshold = bounds
    for oid, first, last in covered:
        entry = lags.setdefault(oid, [0, None, [], 0])
        for h in range(first, last + 1):
            held = blocks.get(u32b(oid) + u64b(h))
            if held is None:
                break
            stamped = decode_block(inflate_stored(held))[0]["time"]
            lag = agreed - stamped
            entry[0] += 1
            if entry[1] is None or lag > entry[1][0]:
                entry[1] = (lag, h, stamped, height, agreed)
            if lag < -precision:
                entry[3] += 1
            if lag > threshold:
                windows = entry[2]
                if windows and windows[-1][1] + 1 == h:
                    windows[-1] = (windows[-1][0], h, windows[-1][2] + 1, max(windows[-1][3], lag))
                else:
                    windows.append((h, h, 1, lag))


def print_lags(lags):
    for oid in sorted(lags):
        timed, largest, windows, future = lags[oid]
        if not timed:
            continue
        lag, h, _, cp, _ = largest
        print(f"time: outlet {oid}: {timed} blocks covered with agreed time; largest lag {lag / 1000:.1f} s "
              f"(block {h}, first covered by checkpoint {cp})")
        for first, last, count, worst in windows:
            print(f"LATE: outlet {oid} blocks {first}-{last} ({count}) reached a checkpoint up to {worst / 1000:.1f} s later")
        if future:
            print(f"FUTURE: outlet {oid}: {future} blocks stamped more than the precision after their checkpoint's agreed time")


class ValidatorSchedule:
    """The validator set of each checkpoint height (CONSENSUS.md §9, FORMAT.md §9.5):
    heights 1 and 2 use the genesis set (the validators list, else every outlet's node key
    with power 1); checkpoint H's updates change the set from H + 2."""

    def __init__(self, g):
        self.g = g
        if g["validators"]:
            genesis = ([v[1] for v in g["validators"]], [v[2] for v in g["validators"]])
        else:
            genesis = ([o[2] for o in sorted(g["outlets"])], [1] * len(g["outlets"]))
        self.sets = [(1, genesis)]  # (first height, (keys, powers))
        self.through = 0

    def at(self, height):
        assert height <= self.through + 2
        return [s for first, s in self.sets if first <= height][-1]

    def record(self, height, updates):
        assert height == self.through + 1
        keys, powers = (list(x) for x in self.at(height + 1))
        for serial, changes, admin in updates:
            for key, power in changes:
                if key in keys:
                    i = keys.index(key)
                    if power == 0:
                        del keys[i], powers[i]
                    else:
                        powers[i] = power
                elif power == 0:
                    raise ValueError(f"an update removes {key.hex()}, which is not a validator")
                else:
                    keys.append(key)
                    powers.append(power)
        if updates:
            if not 4 <= len(keys) <= 7 or not all(1 <= p <= 1000 for p in powers):
                raise ValueError("an update leaves a set outside 4-7 validators of power 1-1000")
            self.sets.append((height + 2, (keys, powers)))
        self.through = height


def decode_allowance_grant(r, g, where):
    """One allowance grant (FORMAT.md §9.6); checks it; returns (id, outlet, points)."""
    start = r.at
    if r.u8() != 1:
        raise Fail(where, "checkpoints/value", "allowance grant version")
    chain, serial, outlet, points, admin = r.take(32), r.u64(), r.u32(), struct.unpack(">q", r.take(8))[0], r.take(32)
    body = r.data[start:r.at]
    signature = r.take(64)
    if chain != g["id"] or admin not in [a[1] for a in g["admins"]] or outlet not in [o[0] for o in g["outlets"]] \
            or not 0 <= points <= 10 ** 9 or not verify_sig(admin, b"SGPOS/allowance-grant-sig/v1\x00" + body, signature):
        raise Fail(where, "checkpoints/allowance-grant", "not a genesis admin's grant to a genesis outlet")
    return tagged("SGPOS/allowance-grant/v1", r.data[start:r.at]), outlet, points


def check_claim_statements(block_sources, statements):
    """Every points claim states what its checkpoint said of the claimant (CONSENSUS.md §10)."""
    for (oid, height), changes in sorted(block_sources.items()):
        for key, value in sorted(changes.items()):
            if key[0] != network.CLAIMS or value is None:
                continue
            r = Reader(value)
            r.u8(); cid = r.take(16); r.string(32); r.take(8); r.u32()
            checkpoint, covered = r.u64(), r.u64()
            outstanding, allowance = struct.unpack(">qq", r.take(16))
            if checkpoint == 0:
                truth = (0, 0, 0)
            elif checkpoint in statements:
                h, a = statements[checkpoint][oid]
                truth = (h, a[1], network.effective(a))
            else:
                continue  # a checkpoint this copy could not replay
            if (covered, outstanding, allowance) != truth:
                raise Fail(f"outlet {oid} height {height}", "allowance/claim",
                           f"claim {cid.hex()} states {(covered, outstanding, allowance)}, checkpoint {checkpoint} says {truth}")


def decode_validator_update(r, g, where):
    """One validator update (FORMAT.md §9.5); checks the admin signature; returns (id, (serial, changes, admin))."""
    start = r.at
    if r.u8() != 1:
        raise Fail(where, "checkpoints/value", "validator update version")
    chain, serial = r.take(32), r.u64()
    changes = [(r.take(32), r.u64()) for _ in range(r.count(14))]
    if [c[0] for c in changes] != sorted({c[0] for c in changes}) or not changes:
        raise Fail(where, "checkpoints/value", "validator changes do not ascend by key")
    admin = r.take(32)
    body = r.data[start:r.at]
    signature = r.take(64)
    if chain != g["id"] or admin not in [a[1] for a in g["admins"]] \
            or not verify_sig(admin, b"SGPOS/validator-update-sig/v1\x00" + body, signature):
        raise Fail(where, "checkpoints/validator-update", "a validator update is not signed by a genesis admin of this network")
    return tagged("SGPOS/validator-update/v1", r.data[start:r.at]), (serial, changes, admin)


def decode_evidence(r, g, schedule, where):
    """One evidence item (docs/CONSENSUS.md §4): checks its proof; returns (id, kind, who, height)."""
    start = r.at
    kind = r.u8()
    if kind == 1:
        halves = []
        for _ in range(2):
            header = r.bytes_(4096)
            halves.append((header, r.take(64)))
        r2 = []
        for h, _ in halves:
            hr = Reader(h)
            r2.append(decode_header(hr))
            hr.finish()  # a header with trailing bytes is not canonical
        ids = [tagged("SGPOS/block-id/v1", h) for h, _ in halves]
        outlet_keys = {o[0]: o[2] for o in g["outlets"]}
        key = outlet_keys.get(r2[0]["outlet"])
        proven = (ids[0] < ids[1] and r2[0]["outlet"] == r2[1]["outlet"] and r2[0]["height"] == r2[1]["height"]
                  and r2[0]["chain"] == r2[1]["chain"] == g["chain"] and key is not None
                  and all(verify_sig(key, b"SGPOS/block-sig/v1\x00" + h, sig) for h, sig in halves))
        who, at = r2[0]["outlet"], r2[0]["height"]
    elif kind == 2:
        a, b = decode_vote(r), decode_vote(r)
        keys = schedule.at(a["height"])[0] if 1 <= a["height"] <= schedule.through + 2 else []
        proven = ((a["value_id"] or b"") < (b["value_id"] or b"") and a["chain"] == b["chain"] == g["id"]
                  and all(a[f] == b[f] for f in ("kind", "height", "round", "validator")) and a["validator"] < len(keys)
                  and verify_sig(keys[a["validator"]], vote_signed_bytes(a), a["signature"])
                  and verify_sig(keys[a["validator"]], vote_signed_bytes(b), b["signature"]))
        who, at = a["validator"], a["height"]
    elif kind == 3:
        # Clock regression (CONSENSUS.md §11): an outlet's acknowledgement of a checkpoint's
        # agreed time, then a later block of it stamped before that time less 2 x precision.
        ack_start = r.at
        if r.u8() != 1:
            raise Fail(where, "checkpoints/value", "checkpoint ack version")
        chain, outlet, cp_height, cp_time, head_height = r.take(32), r.u32(), r.u64(), r.u64(), r.u64()
        ack_signed = b"SGPOS/checkpoint-ack/v1\x00" + r.data[ack_start + 1:r.at]
        ack_sig = r.take(64)
        header = r.bytes_(4096)
        block_sig = r.take(64)
        hr = Reader(header)
        h = decode_header(hr)
        hr.finish()
        key = {o[0]: o[2] for o in g["outlets"]}.get(outlet)
        earliest = cp_time - min(cp_time, 2 * g["time_bounds"][0])
        proven = (chain == g["id"] and key is not None and verify_sig(key, ack_signed, ack_sig)
                  and h["chain"] == g["chain"] and h["outlet"] == outlet and h["height"] > head_height and h["time"] < earliest
                  and verify_sig(key, b"SGPOS/block-sig/v1\x00" + header, block_sig))
        who, at = outlet, h["height"]
    else:
        raise Fail(where, "checkpoints/value", f"unknown evidence kind {kind}")
    if not proven:
        raise Fail(where, "checkpoints/evidence", "evidence does not prove its claim under the genesis keys")
    return tagged("SGPOS/evidence/v1", r.data[start:r.at]), kind, who, at


def check_network_copy(env, raw_position, position, block_sources, heights):
    """The node's own network state and pending block changes against the replay (§9.4)."""
    if position is None:
        raise Fail("store", "store/network", "meta network names a checkpoint the replay did not reach")
    net_state, covered, root = position
    if raw_position is not None and raw_position[8:] != root:
        raise Fail("store", "store/meta", "meta network root is not that checkpoint's network root")
    network_db = env.open_db(b"network", create=False)
    sources_db = env.open_db(b"network-sources", create=False)
    with env.begin() as txn:
        stored = dict(txn.cursor(network_db).iternext())
        pending = dict(txn.cursor(sources_db).iternext())
    if stored != net_state:
        raise Fail("store", "store/network", "network state differs from the replay")
    expected = {}
    for (oid, h), writes in block_sources.items():
        if h > covered.get(oid, 0):
            out = u32b(len(writes))
            for key in sorted(writes):
                value = writes[key]
                out += enc_bytes(key) + (b"\x01" + enc_bytes(value) if value is not None else b"\x00")
            expected[u32b(oid) + u64b(h)] = out
    if pending != expected:
        raise Fail("store", "store/network-sources", f"{len(pending)} pending block changes stored, the replay expects {len(expected)}")


def verify_chain(g, oid, db, expected, block_sources, heights, states=None, log=print, recall_bodies=None):
    """Replays and checks one outlet chain; with `states` (a dict) it also keeps the
    replayed state: states[oid] = (state dict, height, head block id or None); with
    `recall_bodies` (a list) it appends each applied apply-recall body's statement
    (where, checkpoint, recall id) for the audit of §9.8."""
    p = u32b(oid)
    genesis_state = genesis_writes(g)
    state = dict(genesis_state)
    root = next_root(g["id"], write_set_hash(genesis_state))
    prev_id, prev_time, height, history, seen_idem, txs_total = g["id"], g["time"], 0, CompactRange(), set(), 0
    held = set()  # sales record keys kept as references in tx-index, so not in `state` (§9.1)
    while True:
        raw = db["blocks"].get(p + u64b(height + 1))
        if raw is None:
            break
        height += 1
        where = f"outlet {oid} height {height}"
        try:
            h, txs = decode_block(inflate_stored(raw))
        except (ValueError, UnicodeDecodeError) as error:
            raise Fail(where, "store/blocks", f"block does not decode: {error}")
        outlet_rec = state.get(k_outlet(oid))
        checks = [
            (100, h["chain"] == g["chain"] and h["outlet"] == oid, "chain or outlet"),
            (101, h["height"] == height, "height"),
            (102, h["prev"] == prev_id, "previous hash"),
            (103, h["time"] >= prev_time, "timestamp"),
            (104, outlet_rec is not None and outlet_rec.endswith(h["producer"]), "producer"),
            (105, verify_sig(h["producer"], b"SGPOS/block-sig/v1\x00" + h["bytes"], h["signature"]), "producer signature"),
            (110, len(txs) > 0, "empty block"),
            (111, len(txs) <= g["block_max"], "too many transactions"),
            (106, h["count"] == len(txs), "transaction count"),
            (107, h["tx_root"] == mth([t["id"] for t in txs]), "transaction root"),
            (108, h["history_root"] == history.root(), "history root"),
        ]
        for code, ok, what in checks:
            if not ok:
                raise Fail(where, f"rule {code}", what)
        overlay = Overlay(state)
        block_idem = set()
        for index, tx in enumerate(txs):
            twhere = f"{where} transaction {index} tx {tx['id'].hex()}"
            if tx["idem"] in block_idem or tx["idem"] in seen_idem:
                raise Fail(twhere, "rule 9", "duplicate idempotency id")
            block_idem.add(tx["idem"])
            if not verify_sig(tx["signer"], b"SGPOS/tx-sig/v1\x00" + tx["unsigned"], tx["signature"]):
                raise Fail(twhere, "rule 4", "signature does not verify")
            scratch = Overlay(overlay)
            try:
                apply_tx(tx, scratch, g, oid, h["time"], height)
            except Reject as rejection:
                raise Fail(twhere, f"rule {rejection.code}", str(rejection))
            overlay.writes.update(scratch.writes)
            if recall_bodies is not None:
                statement = recall_statement(tx)
                if statement is not None:
                    recall_bodies.append((twhere,) + statement)
            location = p + u64b(height) + u32b(index)
            entry = db["tx-index"].get(tx["id"])
            if entry is None or entry[:16] != location:
                raise Fail(twhere, "store/tx-index", "entry missing or wrong")
            if db["idempotency"].get(p + tx["idem"]) != u64b(height) + u32b(index):
                raise Fail(twhere, "store/idempotency", "entry missing or wrong")
        seen_idem |= block_idem
        changed = network.sources(overlay.writes)
        if changed:
            block_sources[(oid, height)] = changed
        heights[oid] = height
        root = next_root(root, write_set_hash(overlay.writes))
        if h["state_root"] != root:
            raise Fail(where, "rule 109", "state root")
        for key, value in overlay.writes.items():
            if value is None:
                state.pop(key, None)
            else:
                state[key] = value
            held.discard(key)  # a change of a record kept as a reference: `state` holds it now
        for index, tx in enumerate(txs):
            entry = db["tx-index"][tx["id"]]
            if len(entry) > 16:  # a reference: to the sale's record as this block leaves it
                key = bytes([REFERENCED_TABLE]) + tx["id"]
                parsed = tx["parsed"]
                rebuilt = None if parsed[0] != "application" else pos.referenced_sale_record(parsed[1], parsed[2], entry[16:])
                if key not in overlay.writes or rebuilt is None or rebuilt != overlay.writes[key]:
                    raise Fail(f"{where} transaction {index} tx {tx['id'].hex()}", "store/tx-index",
                               "entry keeps a reference that does not rebuild the sale's record as the block leaves it")
                held.add(key)
        tree = db["tx-tree"].get(p + u64b(height))
        if len(txs) > CHUNK_LEAVES:
            if tree != chunk_roots([t["id"] for t in txs]):
                raise Fail(where, "store/tx-tree", "entry missing or not the chunk roots")
            expected["tx-tree"] += 1
        elif tree is not None:
            raise Fail(where, "store/tx-tree", f"entry for a block of {len(txs)} transactions")
        for level, index, node in history.append(leaf_hash(h["id"])):
            if db["history"].get(p + bytes([level]) + u64b(index)) != node:
                raise Fail(where, "store/history", f"node {level}/{index}")
            expected["history"] += 1
        prev_id, prev_time = h["id"], h["time"]
        txs_total += len(txs)
        expected["tx-index"] += len(txs)
        expected["idempotency"] += len(txs)
    expected["blocks"] += height
    expected["state"] += len(state) - len(held)
    for key, value in state.items():
        if key in held:
            if db["state"].get(p + key) is not None:
                raise Fail(f"outlet {oid}", "store/state", f"entry {key.hex()} is also kept as a reference in tx-index")
            continue
        try:
            stored = stored_state_value(key, db["state"].get(p + key))
        except ValueError:
            stored = None
        if stored != value:
            raise Fail(f"outlet {oid}", "store/state", f"entry {key.hex()} differs from the replay")
    head = db["meta"].get(b"head/" + p)
    if height > 0:
        expected["meta"] += 1
        if head != u64b(height) + prev_id + u64b(prev_time) + root:
            raise Fail(f"outlet {oid}", "store/meta", "head record differs from the replay")
    elif head is not None:
        raise Fail(f"outlet {oid}", "store/meta", "head record for an empty chain")
    if states is not None:
        states[oid] = (state, height, prev_id if height > 0 else None)
    log(f"outlet {oid}: height {height}, {txs_total} transactions, head {prev_id.hex()}")
    return txs_total


def recall_statement(tx):
    """(checkpoint, recall id) of an apply-recall transaction (§13.2), else None."""
    if tx["parsed"][0] != "application" or tx["parsed"][1] != lots.APPLY_RECALL:
        return None
    body = pos.decode(lots.APPLY_RECALL, tx["parsed"][2])
    return body["checkpoint"], body["recall"]["id"]


def replay_states(data_dir):
    """(genesis, {outlet: (state, height, head id)}): every genesis outlet chain of the
    store replayed and checked as verify() does (§9), without the checkpoints and quietly.
    The states are the replay's own, never the values the store holds (those are only
    compared with it)."""
    env = lmdb.open(data_dir + "/ledger", readonly=True, lock=False, max_dbs=16, subdir=True)
    try:
        names = ["blocks", "tx-index", "idempotency", "history", "tx-tree", "state", "meta"]
        dbs = {n: env.open_db(n.encode(), create=False) for n in names}
        with env.begin() as txn:
            db = {n: dict(txn.cursor(dbs[n]).iternext()) for n in names}
    finally:
        env.close()
    if b"genesis" not in db["meta"]:
        raise Fail("store", "store/meta", "no genesis")
    g = decode_genesis(db["meta"][b"genesis"])
    expected = {"blocks": 0, "tx-index": 0, "idempotency": 0, "history": 0, "tx-tree": 0, "state": 0, "meta": 0}
    states = {}
    for oid, _, _ in sorted(g["outlets"]):
        verify_chain(g, oid, db, expected, {}, {}, states=states, log=lambda line: None)
    return g, states


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2])
        return 2
    try:
        g, total = verify(argv[1])
    except Fail as failure:
        print(f"FAIL {failure}")
        return 1
    except (ValueError, KeyError, UnicodeDecodeError, lmdb.Error) as error:
        print(f"FAIL store: cannot read: {error!r}")
        return 1
    if "--genesis-id" in argv and argv[argv.index("--genesis-id") + 1] != g["id"].hex():
        print(f"FAIL store: genesis {g['id'].hex()} is not the trusted one")
        return 1
    for line in evidence_files(argv[1] + "/evidence", g):
        print(line)
    if "--receipt" in argv:
        try:
            print("RECEIPT OK: " + check_receipt(argv[argv.index("--receipt") + 1], g))
        except (Fail, ValueError) as failure:
            print(f"FAIL receipt: {failure}")
            return 1
    print(f"OK genesis {g['id'].hex()}: {total} transactions verified")
    return 0


# --- §9.7 evidence files, §14 receipt QR payloads ------------------------------------------

def evidence_files(directory, g):
    """One line per evidence file (FORMAT.md §9.7): EVIDENCE when it proves its claim from
    the signatures alone, UNPROVEN EVIDENCE otherwise. Never a failure."""
    try:
        names = sorted(os.listdir(directory))[:10_000]
    except OSError:
        return []
    lines = []
    for name in names:
        path = os.path.join(directory, name)
        if name.startswith("outlet-") and name.endswith(".json"):
            proven, claim = equivocation_file(path, g)
        elif name.startswith("double-vote-") and name.endswith(".bin"):
            proven, claim = double_vote_file(path, g)
        elif name.startswith("clock-") and name.endswith(".bin"):
            proven, claim = clock_file(path, g)
        else:
            continue
        lines.append(("EVIDENCE " if proven else "UNPROVEN EVIDENCE ") + f"{name}: {claim}")
    return lines


def clock_file(path, g):
    """A clock-regression evidence item (FORMAT.md §9.3 kind 3), proven as in a checkpoint."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        r = Reader(data)
        _, kind, who, at = decode_evidence(r, g, None, path)
        r.finish()
    except Fail:
        return False, "the acknowledgement and the block do not prove a clock that went back under the genesis keys"
    except (OSError, ValueError):
        return False, "does not decode as clock-regression evidence"
    if kind != 3:
        return False, "not clock-regression evidence"
    return True, f"outlet {who} stamped block {at} before the agreed time it had acknowledged: its clock went back or stood still"


def equivocation_file(path, g):
    try:
        with open(path) as f:
            record = json.load(f)
        halves = [decode_block(bytes.fromhex(record["held"]))[0], decode_block(bytes.fromhex(record["conflicting"]))[0]]
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return False, "does not decode as two blocks"
    a, b = halves
    if not (a["outlet"] == b["outlet"] and a["height"] == b["height"] and a["id"] != b["id"]
            and a["producer"] == b["producer"]
            and all(verify_sig(h["producer"], b"SGPOS/block-sig/v1\x00" + h["bytes"], h["signature"]) for h in halves)):
        return False, "the two blocks are not two different, validly signed blocks of one producer at one height"
    genesis_key = {o[0]: o[2] for o in g["outlets"]}.get(a["outlet"]) == a["producer"]
    return True, (f"outlet {a['outlet']} signed two blocks at height {a['height']}: {a['id'].hex()} and {b['id'].hex()}"
                  + (" (its genesis node key)" if genesis_key else f" (key {a['producer'].hex()}, not its genesis node key)"))


def double_vote_file(path, g):
    schedule = g.get("schedule")
    try:
        with open(path, "rb") as f:
            r = Reader(f.read())
        a, b = decode_vote(r), decode_vote(r)
        r.finish()
    except (OSError, ValueError):
        return False, "does not decode as two votes"
    if schedule is None or not 1 <= a["height"] <= schedule.through + 2:
        return False, f"votes at checkpoint height {a['height']}: this copy's checkpoints do not give that height's validators"
    keys = schedule.at(a["height"])[0]
    if not (a["chain"] == b["chain"] == g["id"] and all(a[f] == b[f] for f in ("validator", "height", "round", "kind"))
            and a["value_id"] != b["value_id"] and a["validator"] < len(keys)
            and verify_sig(keys[a["validator"]], vote_signed_bytes(a), a["signature"])
            and verify_sig(keys[a["validator"]], vote_signed_bytes(b), b["signature"])):
        return False, "the two votes are not two different, validly signed votes of one validator in one step"
    return True, f"validator {a['validator']} signed two votes of kind {a['kind']} at height {a['height']} round {a['round']}"


def receipt_payload(text):
    """(chain id, outlet, height, transaction id, signature) of a receipt QR payload (§14)."""
    if not text.startswith("sgpos:1/"):
        raise ValueError("a receipt payload starts with sgpos:1/")
    parts = text[len("sgpos:1/"):].split("/")
    if len(parts) != 5:
        raise ValueError("a receipt payload has five fields after sgpos:1/")
    chain, outlet, height, txid, signature = parts
    if not (1 <= len(chain) <= 64 and all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in chain)):
        raise ValueError("chain id")
    if not (outlet.isdigit() and height.isdigit() and int(outlet) < 1 << 32 and int(height) < 1 << 64):
        raise ValueError("outlet and height are decimal integers")
    if len(txid) != 64 or len(signature) != 128:
        raise ValueError("transaction id and signature are 64 and 128 hex digits")
    return chain, int(outlet), int(height), bytes.fromhex(txid), bytes.fromhex(signature)


def check_receipt(text, g):
    """The payload's transaction is at the stated outlet and height of this verified copy
    and carries the stated signature (FORMAT.md §14)."""
    chain, outlet, height, txid, signature = receipt_payload(text)
    if chain != g["chain"]:
        raise Fail("receipt", "receipt/chain", f"the receipt is for chain {chain}, the genesis is {g['chain']}")
    location = g["tx-index"].get(txid)
    if location is None or location[:12] != u32b(outlet) + u64b(height):
        raise Fail("receipt", "receipt/location", f"transaction {txid.hex()} is not at outlet {outlet} height {height}")
    header, txs = decode_block(inflate_stored(g["blocks"][location[:12]]))
    tx = txs[struct.unpack(">I", location[12:16])[0]]
    if tx["id"] != txid or tx["signature"] != signature:
        raise Fail("receipt", "receipt/signature", "the receipt's signature differs from the signed transaction in the ledger")
    if not verify_sig(tx["signer"], b"SGPOS/tx-sig/v1\x00" + tx["unsigned"], signature):
        raise Fail("receipt", "rule 4", "the signature does not verify")
    return f"transaction {txid.hex()} at outlet {outlet} height {height}, signed by key {tx['signer'].hex()}"


if __name__ == "__main__":
    sys.exit(main(sys.argv))
