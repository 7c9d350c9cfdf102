// The node's API as the web pages call it: JSON in and out, every call but the public
// ones signed by this browser's key (RFC 9421, signed-fetch.js). A refusal (4xx) becomes
// an ApiRefusal carrying the node's problem document; an unreachable node or a 5xx an
// Unreachable, which the till treats as "retry the same bytes later".

import { signedFetch } from "./signed-fetch.js";
import { bytesToHex } from "./codec.js";

export class ApiRefusal extends Error {
  constructor(status, problem) {
    super(problem && problem.message ? problem.message : `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export class Unreachable extends Error {}

async function answer(response) {
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (response.ok) return body;
  if (response.status >= 500) throw new Unreachable(`the node answered ${response.status}`);
  throw new ApiRefusal(response.status, body);
}

async function call(pair, method, target, json, timeoutMs = 8000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = pair
      ? await signedFetch(pair, method, target, json, { signal: controller.signal })
      : await fetch(target, { method, cache: "no-store", signal: controller.signal,
                              headers: json === undefined ? {} : { "Content-Type": "application/json" },
                              body: json === undefined ? undefined : JSON.stringify(json) });
    return await answer(response);
  } catch (error) {
    if (error instanceof ApiRefusal || error instanceof Unreachable) throw error;
    throw new Unreachable(error.name === "AbortError" ? "the node did not answer in time" : "the node cannot be reached");
  } finally {
    clearTimeout(timer);
  }
}

export const api = {
  health: () => call(null, "GET", "/v1/health"),
  whoami: (pair) => call(pair, "GET", "/v1/whoami"),
  shift: (pair, outlet, till) => call(pair, "GET", `/v1/outlets/${outlet}/shifts/${encodeURIComponent(till)}`),
  quote: (pair, request) => call(pair, "POST", "/v1/quote", request),
  prepare: (pair, request) => call(pair, "POST", "/v1/prepare", request),
  payNow: (pair, request) => call(pair, "POST", "/v1/paynow", request),
  receipt: (pair, id) => call(pair, "GET", `/v1/transactions/${id}/receipt`),
  /** Active items of `outlet` whose SKU or category contains `q` (case-insensitive), SKU-prefix matches first. */
  items: (pair, outlet, q, limit = 20) =>
    call(pair, "GET", `/v1/outlets/${outlet}/items?q=${encodeURIComponent(q)}&limit=${limit}`),
  /** What a scanned GS1 barcode (GTIN, lot, expiry) is at `outlet`: SKU, lot on hand, the recall recorded for it. */
  lot: (pair, outlet, gs1) => call(pair, "GET", `/v1/outlets/${outlet}/lots?gs1=${encodeURIComponent(gs1)}`),
  member: (pair, id) => call(pair, "GET", `/v1/members/${encodeURIComponent(id)}`),
  memberProfile: (pair, id) => call(pair, "GET", `/v1/members/${encodeURIComponent(id)}/profile`),
  rules: (pair) => call(pair, "GET", "/v1/rules"),
  checkRule: (pair, request) => call(pair, "POST", "/v1/rules/check", request),
  /** Queues the receipt of transaction `id` on the node's receipt printer. */
  print: (pair, id) => call(pair, "POST", `/v1/transactions/${id}/print`, {}),
  stock: (pair, outlet) => call(pair, "GET", `/v1/reports/stock?outlet=${outlet}`, undefined, 30000),
  transfers: (pair) => call(pair, "GET", "/v1/network/transfers"),
  /** Submits signed transaction bytes (no request signature: the transaction signs itself). */
  submit: (bytes) => call(null, "POST", "/v1/transactions", { transaction: bytesToHex(bytes) }, 15000),
};
