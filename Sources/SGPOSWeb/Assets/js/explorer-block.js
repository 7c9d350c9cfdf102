// A whole block (docs/FORMAT.md §5.2) decoded and checked in the browser for the explorer
// (docs/WEB.md, "Explorer"): header ‖ signature (64) ‖ u32 count ‖ each transaction
// u32-length-prefixed. Checked with WebCrypto against the pinned outlet's genesis node
// key: the producer, its signature over the header, the block id, every transaction's
// id and signature, and the RFC 9162 root of the transaction ids. Nothing here trusts the node.

import { Reader, concat, equalBytes, hexToBytes, bytesToHex } from "./codec.js";
import { limits, decodeHeader, decodeTransaction, sha256, tagged, signedMessage, verifyEd25519, leafHash } from "./ledger.js";

/** Bytes of a header after the version and chain id (FORMAT.md §5.1). */
const headerFixedTail = 4 + 8 + 32 + 8 + 4 + 32 * 4;
/** The most transactions a block's count may claim before the page refuses to read on. */
const transactionsMax = 100000;

/** `{ header, headerBytes, signature, transactions: [bytes] }` of canonical block bytes. */
export function decodeBlock(bytes) {
  const r = new Reader(bytes);
  r.u8("header version");
  r.string(limits.chainId, "chain id");
  r.take(headerFixedTail, "block header");
  const headerBytes = bytes.subarray(0, r.offset);
  const header = decodeHeader(headerBytes);
  const signature = r.fixed(64, "block signature");
  const count = r.u32("transaction count");
  if (count > transactionsMax) throw new Error(`a block of ${count} transactions is over ${transactionsMax}`);
  const transactions = [];
  for (let i = 0; i < count; i++) transactions.push(r.bytes(limits.transaction, `transaction ${i}`));
  r.end("block");
  return { header, headerBytes, signature, transactions };
}

/** RFC 9162 §2.1.1: the Merkle tree hash of leaf hashes (the empty tree: SHA-256 of nothing). */
export async function merkleRoot(leaves) {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0];
  let split = 1;
  while (split * 2 < leaves.length) split *= 2;
  const left = await merkleRoot(leaves.slice(0, split));
  const right = await merkleRoot(leaves.slice(split));
  return sha256(concat(new Uint8Array([1]), left, right));
}

/**
 * Checks block `bytes` of `outlet` (`{ id, nodeKey }` from the pinned genesis) at `height`
 * of chain `chainId`. Returns `{ block, blockId, transactionIds, checks: { producer,
 * signature, transactionRoot, transactionSignatures, place } }`, each check true or false.
 */
export async function verifyBlock(bytes, { chainId, outlet, height }) {
  const block = decodeBlock(bytes);
  const { header, headerBytes } = block;
  const producer = equalBytes(header.producer, hexToBytes(outlet.nodeKey));
  const signature = producer
    && await verifyEd25519(header.producer, block.signature, signedMessage("SGPOS/block-sig/v1", headerBytes));
  const ids = [];
  let transactionSignatures = true;
  for (const raw of block.transactions) {
    ids.push(await tagged("SGPOS/tx-id/v1", raw));
    try {
      const tx = decodeTransaction(raw);
      transactionSignatures = transactionSignatures && tx.outlet === outlet.id
        && await verifyEd25519(tx.signer, tx.signature, signedMessage("SGPOS/tx-sig/v1", tx.unsigned));
    } catch {
      transactionSignatures = false;
    }
  }
  const leaves = [];
  for (const id of ids) leaves.push(await leafHash(id));
  const transactionRoot = header.transactionCount === block.transactions.length
    && equalBytes(await merkleRoot(leaves), header.transactionRoot);
  const place = header.chainId === chainId && header.outlet === outlet.id && header.height === BigInt(height);
  return {
    block,
    blockId: bytesToHex(await tagged("SGPOS/block-id/v1", headerBytes)),
    transactionIds: ids.map(bytesToHex),
    checks: { producer, signature, transactionRoot, transactionSignatures, place },
  };
}
