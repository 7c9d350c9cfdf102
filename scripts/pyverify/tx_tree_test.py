#!/usr/bin/env python3
"""The tx-tree database (FORMAT.md §9.1) on a store with blocks of more than 64
transactions: verify.py accepts the store, and rejects copies with one entry's byte
flipped, one entry removed, an entry added for a block of 64 transactions or fewer, and
an entry added under a height with no block.

Usage: python3 scripts/pyverify/tx_tree_test.py DATA_DIR
"""
import os
import shutil
import struct
import sys
import tempfile

import lmdb

sys.path.insert(0, os.path.dirname(__file__))
import verify  # noqa: E402


def quiet_verify(data_dir):
    stdout = sys.stdout
    sys.stdout = open(os.devnull, "w")
    try:
        return verify.main(["verify.py", data_dir])
    finally:
        sys.stdout.close()
        sys.stdout = stdout


def with_copy(source, change):
    work = tempfile.mkdtemp()
    try:
        shutil.copytree(source + "/ledger", work + "/ledger")
        env = lmdb.open(work + "/ledger", max_dbs=16)
        with env.begin(write=True) as txn:
            change(txn, env.open_db(b"tx-tree", txn=txn, create=False), env.open_db(b"blocks", txn=txn, create=False))
        env.close()
        return quiet_verify(work)
    finally:
        shutil.rmtree(work)


def main(argv):
    source = argv[1]
    env = lmdb.open(source + "/ledger", readonly=True, lock=False, max_dbs=16)
    tree_db, block_db = env.open_db(b"tx-tree", create=False), env.open_db(b"blocks", create=False)
    with env.begin() as txn:
        trees = dict(txn.cursor(tree_db))
        blocks = dict(txn.cursor(block_db))
    env.close()
    small = [key for key, raw in blocks.items() if key not in trees and verify.decode_block(verify.inflate_stored(raw))[0]["count"] <= 64]
    failed = 0

    def expect(name, code):
        nonlocal failed
        if code == 1:
            print(f"ok: {name}")
        else:
            failed += 1
            print(f"NOT DETECTED: {name} (exit {code})")

    if not trees:
        print("FAIL: the store has no tx-tree entry (no block of more than 64 transactions)")
        return 1
    if quiet_verify(source) != 0:
        print("FAIL: the untouched store does not verify")
        return 1
    print(f"ok: the store verifies with {len(trees)} tx-tree entries")
    key = sorted(trees)[0]

    def flip(txn, tree, _):
        value = bytearray(trees[key])
        value[len(value) // 2] ^= 0x01
        txn.put(key, bytes(value), db=tree)
    expect("a flipped byte in a tx-tree entry", with_copy(source, flip))
    expect("a removed tx-tree entry", with_copy(source, lambda txn, tree, _: txn.delete(key, db=tree)))
    if small:
        expect("an entry for a block of 64 transactions or fewer",
               with_copy(source, lambda txn, tree, _: txn.put(small[0], trees[key][:64], db=tree)))
    last = max(blocks)
    beyond = last[:4] + struct.pack(">Q", struct.unpack(">Q", last[4:])[0] + 1)
    expect("an entry under a height with no block", with_copy(source, lambda txn, tree, _: txn.put(beyond, trees[key], db=tree)))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
