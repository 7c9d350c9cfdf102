"""Canonical decoding helpers shared by the verifier and the POS state machine (FORMAT.md §1)."""
import struct


class Reader:
    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, n):
        if self.at + n > len(self.data):
            raise ValueError(f"truncated at byte {self.at}")
        out = self.data[self.at:self.at + n]
        self.at += n
        return out

    def u8(self): return self.take(1)[0]
    def u16(self): return struct.unpack(">H", self.take(2))[0]
    def u32(self): return struct.unpack(">I", self.take(4))[0]
    def u64(self): return struct.unpack(">Q", self.take(8))[0]

    def boolean(self):
        value = self.u8()
        if value not in (0, 1):
            raise ValueError("non-canonical boolean")
        return value == 1

    def bytes_(self, limit):
        n = self.u32()
        if n > limit:
            raise ValueError(f"length {n} over limit {limit}")
        return self.take(n)

    def string(self, limit):
        return self.bytes_(limit).decode("utf-8")  # raises on invalid UTF-8

    def count(self, limit):
        n = self.u32()
        if n > limit:
            raise ValueError(f"count {n} over limit {limit}")
        return n

    def finish(self):
        if self.at != len(self.data):
            raise ValueError("trailing bytes")


def u32b(v): return struct.pack(">I", v)
def u64b(v): return struct.pack(">Q", v)
def enc_bytes(b): return u32b(len(b)) + b
def enc_str(s): return enc_bytes(s.encode())


class Reject(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
