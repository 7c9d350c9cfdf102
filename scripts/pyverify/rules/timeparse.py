"""RFC 3339 times as milliseconds since the epoch (docs/CONTRACTS.md §3.1 ``window``, §8 ``time``).

Exactly ``YYYY-MM-DDTHH:MM:SSZ`` (20 bytes) or ``YYYY-MM-DDTHH:MM:SS±HH:MM`` (25 bytes):
no fraction of a second, upper-case ``T`` and ``Z``; month 01–12, day 01–31 whatever
the month (a day past the month's end counts on into the next month), hour < 24,
minute < 60, second < 60; the offset's two-digit hours and minutes are not range-checked.
"""


def _days_from_civil(y, m, d):
    """Days since 1970-01-01 (H. Hinnant's algorithm, truncating division as in C)."""
    yy = y - 1 if m <= 2 else y
    era = int((yy if yy >= 0 else yy - 399) / 400)
    yoe = yy - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_rfc3339(text):
    """Milliseconds since the epoch of ``text``, or None if it is not of the form above."""
    b = text.encode("utf-8")
    if len(b) not in (20, 25):
        return None

    def n(lo, hi):
        v = 0
        for c in b[lo:hi]:
            if not 48 <= c <= 57:
                return None
            v = v * 10 + c - 48
        return v

    if b[4] != 0x2D or b[7] != 0x2D or b[10] != 0x54 or b[13] != 0x3A or b[16] != 0x3A:
        return None
    y, mo, d, h, mi, s = n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19)
    if None in (y, mo, d, h, mi, s) or not (1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and s < 60):
        return None
    offset = 0
    if len(b) == 25:
        oh, om = n(20, 22), n(23, 25)
        if b[19] not in (0x2B, 0x2D) or b[22] != 0x3A or oh is None or om is None:
            return None
        offset = (oh * 60 + om) * 60_000 * (-1 if b[19] == 0x2D else 1)
    elif b[19] != 0x5A:
        return None
    days = _days_from_civil(y, mo, d)
    return ((days * 24 + h) * 60 + mi) * 60_000 + s * 1_000 - offset
