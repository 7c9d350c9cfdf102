#!/usr/bin/env python3
"""Sentence-level cases of the network state (FORMAT.md §9.4) on made-up blocks: which
updates are writes and which are skipped when they change nothing. The demo's data covers
the common path (verify.py recomputes every network root against the Swift nodes'); these
cases pin the rules a literal reading could get wrong.

Product recalls (0x48) are recorded as carried, once each.

Usage: python3 scripts/pyverify/network_test.py   (prints 'N passed, M failed')
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
import network  # noqa: E402
from common import enc_str, u32b, u64b  # noqa: E402
from checks import Checks

CLAIMANT, SOURCE, OTHER = 1, 2, 3
CID = bytes(range(16))


def member(tier=1, spend=0, lots=(), earned=0, redeemed=0, expired=0):
    out = b"\x01" + bytes([tier]) + struct.pack(">q", spend) + u32b(len(lots))
    out += b"".join(struct.pack(">qq", day, points) for day, points in lots)
    return out + struct.pack(">qqq", earned, redeemed, expired)


def claim_record(points=50, source=SOURCE, height=7):
    body = b"\x01" + CID + enc_str("m-1") + struct.pack(">q", points) + u32b(source)
    body += u64b(0) + u64b(0) + struct.pack(">qq", 0, 100)
    return body + u64b(height)


def settle_record(points=50, debited=50, claimant=CLAIMANT, height=9):
    body = b"\x01" + CID + u32b(claimant) + enc_str("m-1") + struct.pack(">qq", points, debited)
    return body + u64b(height)


def run(state, blocks, grants=()):
    """Applies one checkpoint covering `blocks` [(outlet, {key: value})], one block per
    outlet at height 1; returns its changes."""
    sources = {(outlet, 1): writes for outlet, writes in blocks}
    covered = sorted((outlet, 1, 1) for outlet, _ in blocks)
    changes = state.changes(covered, sources, grants=grants)
    state.apply(changes)
    return changes


def allowance_keys(changes):
    return {k for k in changes if k[0] == network.ALLOWANCES}


def main():
    check = Checks()

    claim_key, settle_key = bytes([network.CLAIMS]) + CID, bytes([network.SETTLEMENTS]) + CID
    akey = network.allowance_key(CLAIMANT)

    # A settlement that arrives before its claim: the claim record is written, no allowance
    # record (its contribution is zero before and after: the update is skipped).
    state = network.NetworkState()
    changes = run(state, [(SOURCE, {settle_key: settle_record()})])
    check("settlement first: claim record written", bytes([network.NET_CLAIMS]) + CID in changes)
    check("settlement first: no 0x46 write", not allowance_keys(changes))
    # Then the claim, paid in full: contribution zero before (settlement only) and after
    # (paid): no 0x46 write at all, although the claim record changes.
    changes = run(state, [(CLAIMANT, {claim_key: claim_record()})])
    check("claim after its full settlement: claim record written", bytes([network.NET_CLAIMS]) + CID in changes)
    check("claim after its full settlement: no 0x46 write", not allowance_keys(changes))

    # Claim first: outstanding += points (a write); the full settlement then subtracts it
    # (a write: the record becomes all zero, a delete) and its own zero addition is skipped.
    state = network.NetworkState()
    changes = run(state, [(CLAIMANT, {claim_key: claim_record()})])
    check("claim first: 0x46 outstanding 50", changes.get(akey) == network.encode_allowance([0, 50, 0]))
    changes = run(state, [(SOURCE, {settle_key: settle_record()})])
    check("paid settlement: 0x46 deleted", akey in changes and changes[akey] is None)
    # The same settlement bytes again (a block rewriting the same value): the claim record
    # does not change, so nothing at all is written.
    changes = run(state, [(SOURCE, {settle_key: settle_record()})])
    check("unchanged claim record: no write", changes == {})

    # A short settlement (30 of 50): losses 20 for the claimant.
    state = network.NetworkState()
    run(state, [(CLAIMANT, {claim_key: claim_record()})])
    changes = run(state, [(SOURCE, {settle_key: settle_record(debited=30)})])
    check("short settlement: losses 20", changes.get(akey) == network.encode_allowance([0, 0, 20]))

    # A settlement written by another outlet than the claim's source pays nothing.
    state = network.NetworkState()
    run(state, [(CLAIMANT, {claim_key: claim_record()})])
    changes = run(state, [(OTHER, {settle_key: settle_record()})])
    check("settlement from another outlet: losses 50", changes.get(akey) == network.encode_allowance([0, 0, 50]))

    # Members: the same account bytes again write nothing (neither 0x40 nor 0x41); an
    # account that changes only its tier rewrites 0x41 with the same bytes.
    state = network.NetworkState()
    mkey = bytes([network.MEMBERS]) + b"m-1"
    run(state, [(CLAIMANT, {mkey: member(lots=[(20000, 10)], earned=10)})])
    changes = run(state, [(CLAIMANT, {mkey: member(lots=[(20000, 10)], earned=10)})])
    check("unchanged member: no write", changes == {})
    totals_key = bytes([network.TOTALS]) + b"m-1"
    before = state.state[totals_key]
    changes = run(state, [(CLAIMANT, {mkey: member(tier=2, lots=[(20000, 10)], earned=10)})])
    check("tier-only change: 0x41 written unchanged", changes.get(totals_key) == before)

    # A grant sets (does not add to) the granted points and is written even when unchanged.
    state = network.NetworkState()
    run(state, [], grants=[(b"\x01" * 32, CLAIMANT, 500, u64b(1))])
    changes = run(state, [], grants=[(b"\x02" * 32, CLAIMANT, 500, u64b(2))])
    check("same grant again: 0x46 written", changes.get(akey) == network.encode_allowance([500, 0, 0]))

    # Product recalls (§9.4, §9.8): after the grants, each recall (ascending id) sets
    # 0x48 ‖ recall id = u64 checkpoint height ‖ the recall's whole bytes; a recall carried
    # before makes the checkpoint invalid. The recall bytes here are made up: the network
    # state stores them as they are (verify.py checks their validity).
    rid_a, rid_b = b"\x11" * 32, b"\x22" * 32
    recall_a, recall_b = b"\x01" + b"recall A bytes", b"\x01" + b"recall B bytes"
    state = network.NetworkState()
    changes = state.changes([], {}, grants=[(b"\x03" * 32, CLAIMANT, 700, u64b(4))],
                            recalls=[(rid_a, u64b(4) + recall_a), (rid_b, u64b(4) + recall_b)])
    check("recalls: 0x48 ‖ id = u64 height ‖ the recall's bytes",
          changes.get(b"\x48" + rid_a) == b"\x00" * 7 + b"\x04" + recall_a
          and changes.get(b"\x48" + rid_b) == u64b(4) + recall_b and network.NET_RECALLS == 0x48)
    check("recalls alongside a grant: the grant's records written too",
          changes.get(bytes([network.GRANTS]) + b"\x03" * 32) == u64b(4)
          and changes.get(akey) == network.encode_allowance([700, 0, 0]) and len(changes) == 4)
    state.apply(changes)
    try:
        state.changes([], {}, recalls=[(rid_a, u64b(5) + recall_a)])
        again = False
    except ValueError:
        again = True
    check("a recall carried by an earlier checkpoint again: the checkpoint is invalid", again)
    check("another recall in a later checkpoint: only its own record",
          state.changes([], {}, recalls=[(b"\x33" * 32, u64b(5) + recall_b)]) == {b"\x48" + b"\x33" * 32: u64b(5) + recall_b})

    return check.report()


if __name__ == "__main__":
    sys.exit(main())
