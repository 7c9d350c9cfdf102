// This browser's Ed25519 key (docs/WEB.md, "Pairing"): created with WebCrypto as a
// non-extractable private key, kept in IndexedDB (a CryptoKey survives structured
// cloning, its secret never reaches JavaScript), one per role name ("till", "office").

import { bytesToHex } from "./codec.js";

const databaseName = "sgpos";
const storeName = "keys";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(databaseName, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function run(mode, body) {
  return open().then((db) => new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const request = body(transaction.objectStore(storeName));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error);
  }));
}

/** A value this browser keeps under `key` (undefined if none). */
export function load(key) { return run("readonly", (store) => store.get(key)); }
/** Keeps `value` under `key`. */
export function save(key, value) { return run("readwrite", (store) => store.put(value, key)); }
/** Forgets `key`. */
export function forget(key) { return run("readwrite", (store) => store.delete(key)); }

/** The key pair named `name`, created on first use: { privateKey, publicKey, publicHex }. */
export async function keyPair(name) {
  let pair = await load(`key:${name}`);
  if (!pair) {
    pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    await save(`key:${name}`, pair);
  }
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { privateKey: pair.privateKey, publicKey: raw, publicHex: bytesToHex(raw) };
}

/** An Ed25519 signature of `message` by `pair`. */
export async function sign(pair, message) {
  return new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, message));
}
