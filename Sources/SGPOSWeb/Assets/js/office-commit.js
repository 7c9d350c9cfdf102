// Signing a back office transaction in the browser (docs/WEB.md, "Back office", "Signing"):
// the node prepares the exact body (`POST /v1/prepare` with a back office kind:
// stock-receive, stock-adjust, transfer-out, transfer-in, deploy-rule), the page signs it
// with the office key (transaction.js) under a sequence of its own ("office:sequence", a
// µs timestamp strictly above every one this browser's office key used), keeps the
// signed bytes in IndexedDB ("office:pending") and submits them. A node that cannot be
// reached is asked again with the same bytes every 2 s until it answers — never a second
// transaction (a resubmission of committed bytes is answered `duplicate`). The outcome is
// written to the page's #commit-status (role=status), with `data-state` sending /
// unreachable / committed / refused for tests and assistive technology alike.

import { load, save, forget } from "./keys.js";
import { api, ApiRefusal } from "./node-api.js";
import { signTransaction } from "./transaction.js";
import { hexToBytes, bytesToHex } from "./codec.js";
import { $, sleep, connection, reach } from "./page.js";

const sequenceKey = "office:sequence";
const pendingKey = "office:pending";
const state = { busy: false };

/** A sequence above every one this browser's office key used: the time in µs, or one more than the last. */
export async function nextSequence() {
  const last = (await load(sequenceKey)) ?? 0n;
  const now = BigInt(Date.now()) * 1000n;
  const next = now > last ? now : last + 1n;
  await save(sequenceKey, next);
  return next;
}

/** True while a transaction is being prepared, signed or delivered (a second one waits). */
export function committing() { return state.busy; }

function status(text, kind, details = {}) {
  const line = $("commit-status");
  if (!line) return;
  line.textContent = text;
  line.className = `commit-status ${kind}`;
  line.dataset.state = kind;
  for (const name of ["height", "outlet", "transaction", "kind", "code"]) delete line.dataset[name];
  for (const [name, value] of Object.entries(details)) {
    if (value !== undefined && value !== null) line.dataset[name] = String(value);
  }
  line.hidden = false;
}

/** The words for a refusal: the node's message and its error code. */
export function refusalText(error) {
  const problem = error.problem || {};
  const code = problem.code ? ` (${problem.error || "refused"} ${problem.code})` : problem.error ? ` (${problem.error})` : "";
  return `${error.message}${code}`;
}

/**
 * Prepares `request` (a back office kind), signs it with the session's office key and
 * delivers it; `label` names it to the manager ("stock receipt DO-123"). Resolves to the
 * node's submit answer ({status, outletId, height, transactionId, …}); a refusal of the
 * prepare or of the submit throws ApiRefusal (nothing was written), shown in #commit-status.
 */
export async function commit(session, request, label) {
  if (state.busy) throw new Error("another transaction is still being sent: wait for its answer");
  state.busy = true;
  try {
    status(`Preparing the ${label}…`, "sending", { kind: request.kind });
    let prepared;
    try {
      prepared = await reach(() => api.prepare(session.pair, request));
    } catch (error) {
      if (error instanceof ApiRefusal) status(`The ${label} was refused: ${refusalText(error)}`, "refused", { kind: request.kind, code: error.problem?.code });
      throw error;
    }
    const signed = await signTransaction(session.pair, {
      chainId: session.health.chainId, outlet: session.health.outletId, sequence: await nextSequence(),
      idempotency: crypto.getRandomValues(new Uint8Array(16)), timestampMs: Date.now(),
      bodyType: prepared.bodyType, body: hexToBytes(prepared.body),
    });
    const pending = { bytes: bytesToHex(signed.bytes), id: bytesToHex(signed.id), label, kind: request.kind };
    await save(pendingKey, pending);
    return await deliver(pending);
  } finally {
    state.busy = false;
  }
}

/** Sends the kept signed bytes until the node answers; the same bytes every time. */
async function deliver(pending) {
  status(`Sending the ${pending.label}…`, "sending", { kind: pending.kind, transaction: pending.id });
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await api.submit(hexToBytes(pending.bytes));
      await forget(pendingKey);
      connection(true);
      const how = result.status === "duplicate" ? "already committed" : "committed";
      status(`The ${pending.label} is ${how}: block ${result.height} of outlet ${result.outletId} (transaction ${String(result.transactionId).slice(0, 16)}…).`,
             "committed", { kind: pending.kind, height: result.height, outlet: result.outletId, transaction: result.transactionId });
      return result;
    } catch (error) {
      if (error instanceof ApiRefusal) {
        await forget(pendingKey);
        connection(true);
        status(`The ${pending.label} was refused: ${refusalText(error)}`, "refused", { kind: pending.kind, code: error.problem?.code, transaction: pending.id });
        throw error;
      }
      connection(false, error.message);
      status(`The node cannot be reached (${error.message}): the ${pending.label} is signed and kept in this browser, `
             + `and is sent again — the same bytes, never a second transaction — every 2 s until the node answers (attempt ${attempt}).`,
             "unreachable", { kind: pending.kind, transaction: pending.id });
      await sleep(2000);
    }
  }
}

/**
 * A transaction signed on an earlier visit and not yet answered (the page was closed or
 * the node went away): delivered now, the same bytes. Resolves to its answer, or null
 * when nothing was kept; a refusal is shown and resolves to null.
 */
export async function resumePending() {
  const pending = await load(pendingKey);
  if (!pending) return null;
  state.busy = true;
  try {
    return await deliver(pending);
  } catch (error) {
    if (error instanceof ApiRefusal) return null;
    throw error;
  } finally {
    state.busy = false;
  }
}
