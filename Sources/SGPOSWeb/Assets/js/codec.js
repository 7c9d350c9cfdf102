// The canonical encoding of docs/FORMAT.md §1, read side: fixed-width big-endian
// integers, fixed byte strings, u32-length-prefixed bytes and strings. Every read checks
// the bounds and names the byte offset of what is wrong, as the ledger's decoder does.

export class DecodeError extends Error {
  constructor(message, offset) {
    super(`${message} at byte ${offset}`);
    this.offset = offset;
  }
}

export class Reader {
  constructor(data) {
    this.data = data;
    this.offset = 0;
  }

  take(count, what) {
    if (count < 0 || this.offset + count > this.data.length) {
      throw new DecodeError(`${what}: ${count} bytes needed, ${this.data.length - this.offset} left`, this.offset);
    }
    const slice = this.data.subarray(this.offset, this.offset + count);
    this.offset += count;
    return slice;
  }

  u8(what) { return this.take(1, what)[0]; }
  u16(what) { const b = this.take(2, what); return (b[0] << 8) | b[1]; }
  u32(what) { const b = this.take(4, what); return ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3]; }
  // u64 as a BigInt (heights, timestamps and sequences fit a Number too, but exactly).
  u64(what) {
    const b = this.take(8, what);
    let value = 0n;
    for (const byte of b) value = (value << 8n) | BigInt(byte);
    return value;
  }
  fixed(count, what) { return this.take(count, what); }
  bytes(limit, what) {
    const start = this.offset;
    const length = this.u32(`${what} length`);
    if (length > limit) throw new DecodeError(`${what}: ${length} bytes is over the limit ${limit}`, start);
    return this.take(length, what);
  }
  string(limit, what) {
    const start = this.offset;
    const raw = this.bytes(limit, what);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(raw);
    } catch {
      throw new DecodeError(`${what} is not UTF-8`, start);
    }
  }
  end(what) {
    if (this.offset !== this.data.length) {
      throw new DecodeError(`${what}: ${this.data.length - this.offset} trailing bytes`, this.offset);
    }
  }
}

export function hexToBytes(hex) {
  if (typeof hex !== "string" || hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) {
    throw new Error("not lower-case hex of whole bytes");
  }
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(2 * i, 2), 16);
  return bytes;
}

export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function concat(...parts) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function ascii(text) {
  return new TextEncoder().encode(text);
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
