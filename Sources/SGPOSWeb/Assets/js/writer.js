// The canonical encoding of docs/FORMAT.md §1, write side (see codec.js for the read side).

import { concat } from "./codec.js";

export class Writer {
  constructor() { this.parts = []; }
  u8(value) { this.parts.push(Uint8Array.of(value & 0xff)); return this; }
  u16(value) { this.parts.push(Uint8Array.of((value >>> 8) & 0xff, value & 0xff)); return this; }
  u32(value) {
    this.parts.push(Uint8Array.of((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff));
    return this;
  }
  // A BigInt (or a safe integer Number) in 0 … 2^64 − 1.
  u64(value) {
    let v = BigInt(value);
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError("u64 out of range");
    const out = new Uint8Array(8);
    for (let i = 7; i >= 0; i--) { out[i] = Number(v & 0xffn); v >>= 8n; }
    this.parts.push(out);
    return this;
  }
  fixed(bytes, count) {
    if (bytes.length !== count) throw new RangeError(`expected ${count} bytes, got ${bytes.length}`);
    this.parts.push(bytes);
    return this;
  }
  bytes(bytes, limit) {
    if (bytes.length > limit) throw new RangeError(`${bytes.length} bytes is over the limit ${limit}`);
    return this.u32(bytes.length).fixed(bytes, bytes.length);
  }
  string(text, limit) { return this.bytes(new TextEncoder().encode(text), limit); }
  finish() { return concat(...this.parts); }
}
