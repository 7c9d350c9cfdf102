// The ledger's own structures, decoded and checked in the browser with WebCrypto
// (SHA-256, Ed25519): transactions (FORMAT.md §3), block headers (§5.1), domain tags
// (§2) and RFC 9162 inclusion proofs (§6.3). Nothing here trusts the node.

import { Reader, ascii, concat, equalBytes, bytesToHex } from "./codec.js";

export const limits = { chainId: 64, body: 65536, transaction: 70000, proofPath: 64 };

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/** tagged(T, x) = SHA-256(ascii(T) ‖ 0x00 ‖ x). */
export async function tagged(tag, bytes) {
  return sha256(concat(ascii(tag), new Uint8Array([0]), bytes));
}

/** The message a tag's signature covers: ascii(T) ‖ 0x00 ‖ x. */
export function signedMessage(tag, bytes) {
  return concat(ascii(tag), new Uint8Array([0]), bytes);
}

/** Ed25519 verification with WebCrypto; false (never an exception) for a bad key or signature. */
export async function verifyEd25519(publicKey, signature, message) {
  try {
    const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    return await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
  } catch {
    return false;
  }
}

/** A signed transaction (§3): its fields, the unsigned envelope bytes and the signature. */
export function decodeTransaction(bytes) {
  if (bytes.length > limits.transaction) throw new Error(`a transaction is at most ${limits.transaction} bytes`);
  const r = new Reader(bytes);
  const version = r.u8("version");
  if (version !== 1) throw new Error(`transaction version ${version}, not 1`);
  const chainId = r.string(limits.chainId, "chain id");
  const outlet = r.u32("outlet id");
  const signer = r.fixed(32, "signer");
  const sequence = r.u64("sequence");
  const idempotency = r.fixed(16, "idempotency id");
  const timestampMs = r.u64("timestamp");
  const bodyType = r.u16("body type");
  const body = r.bytes(limits.body, "body");
  const unsignedLength = r.offset;
  const signature = r.fixed(64, "signature");
  r.end("transaction");
  return { chainId, outlet, signer, sequence, idempotency, timestampMs, bodyType, body, signature,
           unsigned: bytes.subarray(0, unsignedLength) };
}

/** A block header (§5.1). */
export function decodeHeader(bytes) {
  const r = new Reader(bytes);
  const version = r.u8("version");
  if (version !== 1) throw new Error(`header version ${version}, not 1`);
  const header = {
    chainId: r.string(limits.chainId, "chain id"),
    outlet: r.u32("outlet id"),
    height: r.u64("height"),
    previousHash: r.fixed(32, "previous hash"),
    timestampMs: r.u64("timestamp"),
    transactionCount: r.u32("transaction count"),
    transactionRoot: r.fixed(32, "transaction root"),
    historyRoot: r.fixed(32, "history root"),
    stateRoot: r.fixed(32, "state root"),
    producer: r.fixed(32, "producer"),
  };
  r.end("header");
  return header;
}

/** RFC 9162 §2.1.3.2: does `path` prove leaf hash `leaf` at `index` in a tree of `size` leaves with `root`? */
export async function verifyInclusion(leaf, index, size, path, root) {
  if (path.length > limits.proofPath) return false;
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256(concat(new Uint8Array([1]), p, r));
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await sha256(concat(new Uint8Array([1]), r, p));
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(r, root);
}

/** The leaf hash of RFC 9162 for 32-byte leaf data: SHA-256(0x00 ‖ data). */
export async function leafHash(data) {
  return sha256(concat(new Uint8Array([0]), data));
}

export { bytesToHex };
