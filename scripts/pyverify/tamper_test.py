#!/usr/bin/env python3
"""Flips bytes in copies of a node's LMDB values and checks verify.py rejects each copy.

Usage: python3 scripts/pyverify/tamper_test.py DATA_DIR [ROUNDS]
Prints 'N passed, M failed' (a round passes when the tampered copy is rejected).
"""
import os
import random
import shutil
import sys
import tempfile

import lmdb

sys.path.insert(0, os.path.dirname(__file__))
import verify  # noqa: E402


def same_data(source, name, key, offset, mask):
    """A flip inside a compressed value (§9.1) that leaves the bytes it holds as they were
    (the zlib header's informational level bits, the padding after the last deflate code)
    changes no data; such a round is drawn again."""
    if name != "blocks" and not (name == "state" and key[4] in verify.COMPRESSED_STATE_TABLES):
        return False
    env = lmdb.open(source + "/ledger", readonly=True, lock=False, max_dbs=16)
    try:
        with env.begin() as txn:
            value = txn.get(key, db=env.open_db(name.encode(), txn=txn, create=False))
    finally:
        env.close()
    changed = bytearray(value)
    changed[offset] ^= mask
    try:
        return verify.inflate_stored(bytes(changed)) == verify.inflate_stored(value)
    except ValueError:
        return False


def rejected(source, name, key, change):
    """Whether verify.py rejects a copy of `source` whose `name` value at `key` is
    `change(value)`."""
    work = tempfile.mkdtemp()
    try:
        shutil.copytree(source + "/ledger", work + "/ledger")
        copy = lmdb.open(work + "/ledger", max_dbs=16)
        with copy.begin(write=True) as txn:
            db = copy.open_db(name.encode(), txn=txn, create=False)
            txn.put(key, change(bytes(txn.get(key, db=db))), db=db)
        copy.close()
        stdout = sys.stdout
        sys.stdout = open(os.devnull, "w")
        try:
            return verify.main(["verify.py", work]) == 1
        finally:
            sys.stdout.close()
            sys.stdout = stdout
    finally:
        shutil.rmtree(work)


def reference_rounds(source):
    """A sale's record kept as a reference in its tx-index entry (§9.1): another shift
    number, another till, and the reference dropped (the record then missing from
    `state`) must each be rejected. Returns (passed, failed)."""
    env = lmdb.open(source + "/ledger", readonly=True, lock=False, max_dbs=16)
    with env.begin() as txn:
        kept = [(k, v) for k, v in txn.cursor(env.open_db(b"tx-index", txn=txn, create=False)) if len(v) > 16][:2]
    env.close()
    if not kept:
        print("NOT DETECTED: no tx-index entry keeps a record reference to tamper with")
        return 0, 1
    changes = {
        "another shift number": lambda v: v[:23] + bytes([v[23] ^ 1]) + v[24:],
        "another till": lambda v: v[:-1] + bytes([v[-1] ^ 2]),
        "reference dropped": lambda v: v[:16],
    }
    passed = failed = 0
    for key, _ in kept:
        for what, change in changes.items():
            if rejected(source, "tx-index", key, change):
                passed += 1
            else:
                failed += 1
                print(f"NOT DETECTED: tx-index key {key.hex()}: {what}")
    return passed, failed


def main(argv):
    source, rounds = argv[1], int(argv[2]) if len(argv) > 2 else 60
    generator = random.Random(20261124)
    env = lmdb.open(source + "/ledger", readonly=True, lock=False, max_dbs=16)
    sites = []
    names = ["blocks", "tx-index", "idempotency", "history", "tx-tree", "state", "meta"]
    try:
        env.open_db(b"checkpoints", create=False)
        names += ["checkpoints", "network", "network-sources"]  # networks of 4+ outlets: certificates, network state
    except lmdb.Error:
        pass
    dbs = {name: env.open_db(name.encode(), create=False) for name in names}
    with env.begin() as txn:
        for name in names:
            for key, value in txn.cursor(dbs[name]):
                sites.append((name, key, len(value)))
    env.close()
    passed, failed = reference_rounds(source)
    for _ in range(rounds):
        while True:
            name, key, length = generator.choice(sites)
            offset, mask = generator.randrange(length), generator.randrange(1, 256)
            if not same_data(source, name, key, offset, mask):
                break
        if rejected(source, name, key, lambda v: v[:offset] + bytes([v[offset] ^ mask]) + v[offset + 1:]):
            passed += 1
        else:
            failed += 1
            print(f"NOT DETECTED: {name} key {key.hex()} byte {offset} ^ {mask:#04x}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
