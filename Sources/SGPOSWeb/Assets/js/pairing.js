// Pairing a browser key with the ledger (docs/WEB.md, "Pairing"): the page shows this
// browser's public key, its QR code and the `sgpos keys register` command a manager (or an
// admin) runs, and asks `GET /v1/whoami`, signed with the key, every 2 s until the node
// knows the key. The till and the back office pair this way, each with its own key.

import { api, ApiRefusal } from "./node-api.js";

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The command that registers `pair`: signed with `keyFile`, as `role` (omitted: a till) named `principal`. */
export function registerCommand(pair, { keyFile, role, principal }) {
  return `sgpos keys register --node ${location.origin} --key ${keyFile} --public-key ${pair.publicHex}`
    + `${role ? ` --role ${role}` : ""} --principal ${principal}`;
}

/** Shows the key, its QR code and `command` in the page's #public-key, #pairing-qr, #pairing-command. */
export function showPairing(pair, command) {
  $("public-key").textContent = pair.publicHex;
  $("pairing-command").textContent = command;
  const qr = $("pairing-qr");
  qr.src = `/qr.svg?text=${encodeURIComponent(`sgpos-pair:1/${pair.publicHex}`)}`;
  qr.onload = () => { qr.hidden = false; };
}

/**
 * Who the node says `pair` is (`GET /v1/whoami`), once it is registered: `reach` runs the
 * call until the node answers; while the key is unknown (401) `unregistered()` is called
 * and the call is repeated every 2 s. Any other refusal is thrown.
 */
export async function whoamiOnceRegistered(pair, reach, unregistered) {
  for (;;) {
    try {
      return await reach(() => api.whoami(pair));
    } catch (error) {
      if (!(error instanceof ApiRefusal) || error.status !== 401) throw error;
      unregistered();
      await sleep(2000);
    }
  }
}
