// HTTP message signatures (RFC 9421) as the node's API requires them (docs/API.md,
// "Request signatures"): label `sgpos`, components "@method" "@path" "@query" and
// "content-digest" when there is a body, created / keyid / alg / nonce parameters,
// Ed25519 over the signature base, Content-Digest (RFC 9530) SHA-256 of the body.

import { bytesToHex } from "./codec.js";
import { sign } from "./keys.js";

function base64(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

/** The signature headers for a request; `target` is the path and query as sent. */
export async function signatureHeaders(pair, method, target, body) {
  const question = target.indexOf("?");
  const path = question < 0 ? target : target.slice(0, question);
  const query = question < 0 ? "?" : target.slice(question);
  const headers = {};
  const components = ['"@method"', '"@path"', '"@query"'];
  const lines = [`"@method": ${method.toUpperCase()}`, `"@path": ${path || "/"}`, `"@query": ${query}`];
  if (body !== undefined) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
    headers["Content-Digest"] = `sha-256=:${base64(digest)}:`;
    components.push('"content-digest"');
    lines.push(`"content-digest": ${headers["Content-Digest"]}`);
  }
  const nonce = bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
  const created = Math.floor(Date.now() / 1000);
  const params = `(${components.join(" ")});created=${created};keyid="${pair.publicHex}";alg="ed25519";nonce="${nonce}"`;
  lines.push(`"@signature-params": ${params}`);
  const signature = await sign(pair, new TextEncoder().encode(lines.join("\n")));
  headers["Signature-Input"] = `sgpos=${params}`;
  headers["Signature"] = `sgpos=:${base64(signature)}:`;
  return headers;
}

/** fetch() with the request signed by `pair`; `json` (if given) is sent as the body. */
export async function signedFetch(pair, method, target, json, options = {}) {
  const body = json === undefined ? undefined : new TextEncoder().encode(JSON.stringify(json));
  const headers = await signatureHeaders(pair, method, target, body);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return fetch(target, { method, headers, body, cache: "no-store", ...options });
}
