"""The network state (FORMAT.md §9.4): outlet blocks applied in checkpoint order."""
import struct

from common import Reader, enc_bytes, u32b

MEMBERS, TRANSFERS, CLAIMS, SETTLEMENTS = 0x12, 0x16, 0x1D, 0x1F   # outlet tables the network state reads
ACCOUNTS, TOTALS, NET_TRANSFERS, EVIDENCE, VALIDATOR_UPDATES = 0x40, 0x41, 0x42, 0x43, 0x44
NET_CLAIMS, ALLOWANCES, GRANTS = 0x45, 0x46, 0x47
NET_RECALLS = 0x48   # §9.4: 0x48 ‖ recall id = checkpoint height u64 ‖ the recall's bytes (§9.8)


def sources(writes):
    """A block's write set restricted to the network-state source tables."""
    return {k: v for k, v in writes.items() if k[0] in (MEMBERS, TRANSFERS, CLAIMS, SETTLEMENTS)}


def member_sums(account):
    """balance, earned, redeemed, expired of a member-account record (a §13.3 members record,
    version 1, or 2 with the tier review period after the totals)."""
    r = Reader(account)
    version = r.u8()
    if version not in (1, 2):
        raise ValueError("member account version")
    r.u8()
    r.take(8)
    lots = [struct.unpack(">qq", r.take(16)) for _ in range(r.count(1 << 16))]
    earned, redeemed, expired = struct.unpack(">qqq", r.take(24))
    if version == 2:
        r.take(16)                        # period start, period spend
        if not 1 <= r.u8() <= 5:
            raise ValueError("member account period tier")
    r.finish()
    return [sum(points for _, points in lots), earned, redeemed, expired]


def decode_totals(raw):
    r = Reader(raw)
    if r.u8() != 1:
        raise ValueError("totals version")
    values = list(struct.unpack(">qqqq", r.take(32))) + [r.u32()]
    r.finish()
    return values


def encode_totals(t):
    return b"\x01" + struct.pack(">qqqq", *t[:4]) + u32b(t[4])


class NetworkState:
    def __init__(self):
        self.state = {}

    def changes(self, covered, block_sources, evidence=(), validator_updates=(), grants=(), recalls=()):
        """evidence, validator_updates, recalls: [(id, record)] ascending by id (a recall's record:
        u64 checkpoint height ‖ the recall's bytes); grants: [(id, outlet, points, record)];
        covered: [(outlet, first, last)] ascending by outlet; returns the write set."""
        writes = {}

        def get(key):
            return writes[key] if key in writes else self.state.get(key)

        for table, items in ((EVIDENCE, evidence), (VALIDATOR_UPDATES, validator_updates)):
            for eid, record in items:
                key = bytes([table]) + eid
                if get(key) is not None:
                    raise ValueError(f"{eid.hex()} was carried by an earlier checkpoint")
                writes[key] = record
        for gid, outlet, points, record in grants:  # allowance grants (§9.6)
            key = bytes([GRANTS]) + gid
            if get(key) is not None:
                raise ValueError(f"{gid.hex()} was carried by an earlier checkpoint")
            writes[key] = record
            a = allowance(get(allowance_key(outlet)))
            a[0] = points
            writes[allowance_key(outlet)] = None if a == [0, 0, 0] else encode_allowance(a)
        for rid, record in recalls:  # product recalls (§9.8), after the grants
            key = bytes([NET_RECALLS]) + rid
            if get(key) is not None:
                raise ValueError(f"{rid.hex()} was carried by an earlier checkpoint")
            writes[key] = record

        for outlet, first, last in covered:
            for height in range(first, last + 1):
                for key in sorted(block_sources.get((outlet, height), {})):
                    value = block_sources[(outlet, height)][key]
                    if key[0] == MEMBERS:
                        member = key[1:]
                        akey = bytes([ACCOUNTS, len(member)]) + member + u32b(outlet)
                        before = get(akey)
                        if before == value:
                            continue
                        writes[akey] = value
                        tkey = bytes([TOTALS]) + member
                        raw = get(tkey)
                        totals = decode_totals(raw) if raw is not None else [0, 0, 0, 0, 0]
                        if before is not None:
                            totals = [a - b for a, b in zip(totals[:4], member_sums(before))] + [totals[4] - 1]
                        if value is not None:
                            totals = [a + b for a, b in zip(totals[:4], member_sums(value))] + [totals[4] + 1]
                        writes[tkey] = encode_totals(totals) if totals[4] > 0 else None
                    elif key[0] in (CLAIMS, SETTLEMENTS):
                        cid = key[1:]
                        if len(cid) != 16:
                            raise ValueError("claim id")
                        ckey = bytes([NET_CLAIMS]) + cid
                        raw = get(ckey)
                        before = decode_claim(raw) if raw is not None else [None, None]
                        after = list(before)
                        after[0 if key[0] == CLAIMS else 1] = None if value is None else (outlet, value)
                        if after == before:
                            continue
                        writes[ckey] = None if after == [None, None] else encode_claim(after)
                        for halves, sign in ((before, -1), (after, 1)):
                            claimant, outstanding, loss = contribution(halves)
                            if claimant is None or (outstanding == 0 and loss == 0):
                                continue
                            a = allowance(get(allowance_key(claimant)))
                            a[1] += sign * outstanding
                            a[2] += sign * loss
                            writes[allowance_key(claimant)] = None if a == [0, 0, 0] else encode_allowance(a)
                    else:
                        tid, direction = key[1:17], key[17]
                        if len(key) != 18 or direction not in (1, 2):
                            raise ValueError("transfer key")
                        nkey = bytes([NET_TRANSFERS]) + tid
                        raw = get(nkey)
                        halves = decode_halves(raw) if raw is not None else [None, None]
                        halves[direction - 1] = value
                        writes[nkey] = None if halves == [None, None] else encode_halves(halves)
        return writes

    def apply(self, writes):
        for key, value in writes.items():
            if value is None:
                self.state.pop(key, None)
            else:
                self.state[key] = value


def allowance_key(outlet): return bytes([ALLOWANCES]) + u32b(outlet)


def allowance(raw):
    """[granted, outstanding, losses] of a 0x46 record (zeros when absent)."""
    if raw is None:
        return [0, 0, 0]
    r = Reader(raw)
    if r.u8() != 1:
        raise ValueError("allowance version")
    values = list(struct.unpack(">qqq", r.take(24)))
    r.finish()
    return values


def encode_allowance(a): return b"\x01" + struct.pack(">qqq", *a)


def effective(a): return max(0, a[0] - a[2])


def decode_claim(raw):
    """[claim half, settle half], each None or (outlet, record bytes)."""
    r = Reader(raw)
    if r.u8() != 1:
        raise ValueError("network claim version")
    halves = [(r.u32(), r.bytes_(1 << 16)) if r.boolean() else None for _ in range(2)]
    r.finish()
    return halves


def encode_claim(halves):
    return b"\x01" + b"".join(b"\x00" if h is None else b"\x01" + u32b(h[0]) + enc_bytes(h[1]) for h in halves)


def claim_fields(raw):
    """(member, points, source) of a 0x1D claim record."""
    r = Reader(raw)
    r.u8(); r.take(16)
    return r.string(32), struct.unpack(">q", r.take(8))[0], r.u32()


def settle_fields(raw):
    """(claimant, member, points, debited) of a 0x1F settlement record."""
    r = Reader(raw)
    r.u8(); r.take(16)
    claimant, member = r.u32(), r.string(32)
    points, debited = struct.unpack(">qq", r.take(16))
    return claimant, member, points, debited


def contribution(halves):
    """(claimant, outstanding, loss) a claim record adds to its claimant's allowance."""
    claim, settle = halves
    if claim is None:
        return (settle_fields(settle[1])[0] if settle is not None else None), 0, 0
    claimant, (member, points, source) = claim[0], claim_fields(claim[1])
    if settle is None:
        return claimant, points, 0
    s_claimant, s_member, s_points, debited = settle_fields(settle[1])
    matches = s_claimant == claimant and settle[0] == source and s_member == member and s_points == points
    return claimant, 0, points - (debited if matches else 0)


def decode_halves(raw):
    r = Reader(raw)
    if r.u8() != 1:
        raise ValueError("network transfer version")
    halves = [r.bytes_(1 << 16) if r.boolean() else None for _ in range(2)]
    r.finish()
    return halves


def encode_halves(halves):
    return b"\x01" + b"".join(b"\x00" if h is None else b"\x01" + enc_bytes(h) for h in halves)
