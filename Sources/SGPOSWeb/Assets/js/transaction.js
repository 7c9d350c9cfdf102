// Signed transactions made in the browser (docs/FORMAT.md §3): the unsigned envelope,
// the Ed25519 signature over `SGPOS/tx-sig/v1` ‖ 0x00 ‖ envelope, and the id.

import { concat } from "./codec.js";
import { Writer } from "./writer.js";
import { sign } from "./keys.js";
import { tagged, signedMessage } from "./ledger.js";

/**
 * Signs a transaction: `fields` = { chainId, outlet, sequence (BigInt), idempotency
 * (16 bytes), timestampMs, bodyType, body (bytes) }. Returns { bytes, id }.
 */
export async function signTransaction(pair, fields) {
  const unsigned = new Writer()
    .u8(1)
    .string(fields.chainId, 64)
    .u32(fields.outlet)
    .fixed(pair.publicKey, 32)
    .u64(fields.sequence)
    .fixed(fields.idempotency, 16)
    .u64(fields.timestampMs)
    .u16(fields.bodyType)
    .bytes(fields.body, 65536)
    .finish();
  const signature = await sign(pair, signedMessage("SGPOS/tx-sig/v1", unsigned));
  const bytes = concat(unsigned, signature);
  return { bytes, id: await tagged("SGPOS/tx-id/v1", bytes) };
}
