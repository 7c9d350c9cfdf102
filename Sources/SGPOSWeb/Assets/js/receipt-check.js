// The receipt checker's logic (docs/WEB.md, "Receipt checker"): parse a receipt's QR
// payload (FORMAT.md §14), then check the proof a node gives for it against a pinned
// genesis — the till's signature, the outlet's block signature by its genesis node key,
// and the Merkle inclusion of the transaction in that block (and of the block in a later
// head's history, when the proof carries one). Each check is reported by name; the
// receipt is genuine only when every one holds.

import { hexToBytes, bytesToHex, equalBytes } from "./codec.js";
import { decodeTransaction, decodeHeader, tagged, signedMessage, verifyEd25519, verifyInclusion, leafHash } from "./ledger.js";

const chainIdPattern = /^[a-z0-9-]{1,64}$/;

/** The fields of a `sgpos:1/…` payload, or an Error saying what is wrong with it. */
export function parsePayload(text) {
  const payload = text.trim();
  if (!payload.startsWith("sgpos:1/")) throw new Error("a receipt code starts with sgpos:1/");
  const fields = payload.slice("sgpos:1/".length).split("/");
  if (fields.length !== 5) throw new Error(`a receipt code has 5 fields after sgpos:1/, this one has ${fields.length}`);
  const [chainId, outlet, height, transactionId, signature] = fields;
  if (!chainIdPattern.test(chainId)) throw new Error("the chain id is not 1–64 characters of a–z, 0–9 and -");
  if (!/^[0-9]{1,10}$/.test(outlet) || Number(outlet) > 0xffffffff) throw new Error("the outlet is not a number");
  if (!/^[0-9]{1,20}$/.test(height) || BigInt(height) > 0xffffffffffffffffn) throw new Error("the height is not a number");
  if (!/^[0-9a-f]{64}$/.test(transactionId)) throw new Error("the transaction id is not 64 lower-case hex digits");
  if (!/^[0-9a-f]{128}$/.test(signature)) throw new Error("the signature is not 128 lower-case hex digits");
  return { chainId, outlet: Number(outlet), height: BigInt(height), transactionId, signature };
}

/**
 * Checks `proof` (sgpos-tx-proof/1, FORMAT.md §11) for `payload` against `genesis`
 * (its chainId and outlets' node keys). Returns { genuine, checks: [{name, ok, detail}], facts }.
 */
export async function checkReceipt(payload, proof, genesis) {
  const checks = [];
  const check = (name, ok, detail = "") => { checks.push({ name, ok: Boolean(ok), detail }); return Boolean(ok); };
  const facts = {};
  try {
    check("the receipt's network is the pinned genesis's", payload.chainId === genesis.chainId,
          `receipt: ${payload.chainId}, genesis: ${genesis.chainId}`);
    check("the proof is for this network", proof.format === "sgpos-tx-proof/1" && proof.chainId === genesis.chainId);
    const transactionBytes = hexToBytes(proof.transaction);
    const tx = decodeTransaction(transactionBytes);
    const id = await tagged("SGPOS/tx-id/v1", transactionBytes);
    check("the transaction hashes to the receipt's transaction id", bytesToHex(id) === payload.transactionId);
    check("the transaction carries the receipt's signature", bytesToHex(tx.signature) === payload.signature);
    check("the transaction belongs to the receipt's outlet", tx.outlet === payload.outlet && tx.chainId === genesis.chainId);
    check("the till's signature is valid",
          await verifyEd25519(tx.signer, tx.signature, signedMessage("SGPOS/tx-sig/v1", tx.unsigned)),
          `till key ${bytesToHex(tx.signer)}`);
    facts.tillKey = bytesToHex(tx.signer);
    facts.transactionTime = Number(tx.timestampMs);
    facts.bodyType = tx.bodyType;

    const headerBytes = hexToBytes(proof.block.header);
    const header = decodeHeader(headerBytes);
    const outlet = (genesis.outlets || []).find((o) => o.id === payload.outlet);
    check("the outlet is in the genesis", outlet, outlet ? outlet.name : `no outlet ${payload.outlet}`);
    facts.outletName = outlet ? outlet.name : "";
    check("the block is the receipt's block", header.outlet === payload.outlet && header.height === payload.height
          && header.chainId === genesis.chainId, `outlet ${header.outlet} height ${header.height}`);
    const nodeKey = outlet ? hexToBytes(outlet.nodeKey) : new Uint8Array(32);
    check("the block was sealed by the outlet's genesis node key", equalBytes(header.producer, nodeKey));
    check("the outlet's block signature is valid",
          await verifyEd25519(header.producer, hexToBytes(proof.block.signature), signedMessage("SGPOS/block-sig/v1", headerBytes)));
    const inclusion = (proof.inclusionPath || []).map(hexToBytes);
    check("the transaction is in the block (Merkle inclusion proof)",
          await verifyInclusion(await leafHash(id), BigInt(proof.leafIndex), BigInt(header.transactionCount), inclusion, header.transactionRoot),
          `leaf ${proof.leafIndex} of ${header.transactionCount}`);
    facts.blockTime = Number(header.timestampMs);
    facts.height = header.height.toString();
    if (proof.head) {
      const headBytes = hexToBytes(proof.head.header);
      const head = decodeHeader(headBytes);
      check("the later head is the same outlet's, sealed by its node key",
            head.outlet === header.outlet && head.height > header.height && equalBytes(head.producer, nodeKey)
            && await verifyEd25519(head.producer, hexToBytes(proof.head.signature), signedMessage("SGPOS/block-sig/v1", headBytes)));
      const blockId = await tagged("SGPOS/block-id/v1", headerBytes);
      check("the block is in the later head's history (Merkle inclusion proof)",
            await verifyInclusion(await leafHash(blockId), header.height - 1n, head.height - 1n,
                                  (proof.historyPath || []).map(hexToBytes), head.historyRoot),
            `head at height ${head.height}`);
    }
  } catch (error) {
    check("the proof decodes", false, error.message);
  }
  return { genuine: checks.length > 0 && checks.every((c) => c.ok), checks, facts };
}
