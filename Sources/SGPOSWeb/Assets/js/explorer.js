// The explorer (docs/WEB.md, "Explorer"): outlets, their blocks a page at a time, a block
// with each transaction decoded into the mirror's rows (GET …/blocks/{h}/rows), its
// signature and transaction root checked here from the block's bytes against the pinned
// genesis (explorer-block.js), a transaction, the checkpoints, and a search by
// transaction id or receipt code. Signed with the browser's "office" key (pairing.js).
// Views are addressed by the URL's fragment: #outlet=1[&before=H], #block=1/57[&tx=id],
// #tx=id; the outlets and checkpoints otherwise.

import { keyPair } from "./keys.js";
import { api, ApiRefusal } from "./node-api.js";
import { $, say, connection, reach } from "./page.js";
import { signedFetch } from "./signed-fetch.js";
import { registerCommand, showPairing, whoamiOnceRegistered } from "./pairing.js";
import { parsePayload } from "./receipt-check.js";
import { hexToBytes } from "./codec.js";
import { decodeTransaction, tagged, signedMessage, verifyEd25519, bytesToHex } from "./ledger.js";
import { verifyBlock } from "./explorer-block.js";

const checkpointsShown = 5;
const session = { pair: null, me: null, genesis: null };

// MARK: page plumbing

/** `GET target` signed by this browser's key, as JSON; a 4xx throws ApiRefusal. */
function get(target) {
  return reach(async () => {
    const response = await signedFetch(session.pair, "GET", target);
    let body = null;
    try { body = await response.json(); } catch { body = null; }
    if (response.ok) return body;
    if (response.status >= 500 && response.status !== 503) throw new Error(`the node answered ${response.status}`);
    throw new ApiRefusal(response.status, body);
  });
}

/** An element with attributes (`text` sets textContent, `class` the class) and children. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (name === "text") node.textContent = String(value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const link = (hash, text, attributes = {}) => el("a", { href: hash, text, ...attributes });
const time = (ms) => new Date(Number(ms)).toLocaleString("en-SG", { timeZone: "Asia/Singapore", hour12: false });
const short = (hex) => `${hex.slice(0, 12)}…`;
const outletName = (id) => (session.genesis.outlets.find((o) => o.id === id) || { name: `outlet ${id}` }).name;

function fields(pairs) {
  return el("dl", { class: "fields" }, pairs.flatMap(([name, value]) => [el("dt", { text: name }), el("dd", {}, value)]));
}

/** A table of `columns` and `rows` (arrays of JSON values); numbers right-aligned, null shown empty. */
function dataTable(name, columns, rows) {
  const head = el("tr", {}, columns.map((c) => el("th", { scope: "col", text: c })));
  const body = rows.map((row) => el("tr", {}, row.map((value) => el("td", {
    class: typeof value === "number" ? "number" : undefined,
    text: value === null ? "" : typeof value === "boolean" ? (value ? "true" : "false") : value,
  }))));
  return el("div", { class: "wide" },
    el("table", { class: "data", "data-table": name }, el("caption", { text: name }), el("thead", {}, head), el("tbody", {}, body)));
}

function crumbs(...parts) {
  const nav = $("crumbs");
  nav.replaceChildren(link("#", "Outlets"), ...parts.flatMap((p) => [" › ", p]));
}

function show(...children) {
  $("view").replaceChildren(...children);
}

function refusal(error) {
  if (error instanceof ApiRefusal) {
    if (error.status === 403) return `Not allowed: ${error.message}`;
    return error.message;
  }
  return error.message || String(error);
}

// MARK: views

async function outletsView() {
  crumbs();
  const heads = await get("/v1/heads");
  const rows = session.genesis.outlets.map((outlet) => {
    const head = heads.find((h) => h.outletId === outlet.id);
    return el("tr", {},
      el("td", { class: "number", text: outlet.id }),
      el("td", {}, link(`#outlet=${outlet.id}`, outlet.name, { "data-outlet": outlet.id })),
      el("td", { class: "number", text: head ? head.height : "—" }),
      el("td", { class: "hex", text: head ? short(head.blockId) : "" }),
      el("td", { class: "hex", text: short(outlet.nodeKey) }));
  });
  const note = session.me.role === "operator"
    ? el("p", { text: `As an operator of outlet ${session.me.outletId} this key reads that outlet's blocks; auditors and admins read every outlet's.` })
    : null;
  const checkpoints = el("section", { id: "checkpoints" }, el("h2", { text: "Checkpoints" }), el("p", { text: "Loading…" }));
  show(el("h1", { text: `Outlets of ${session.genesis.chainId}` }), note,
    el("table", { class: "data", id: "outlets" },
      el("thead", {}, el("tr", {}, ["id", "outlet", "height here", "head block", "genesis node key"].map((c) => el("th", { text: c })))),
      el("tbody", {}, rows)),
    checkpoints);
  await checkpointsInto(checkpoints);
}

async function checkpointsInto(section) {
  let status;
  try {
    status = await get("/v1/checkpoints/status");
  } catch (error) {
    if (error instanceof ApiRefusal && error.status === 404) {
      section.replaceChildren(el("h2", { text: "Checkpoints" }),
        el("p", { id: "no-checkpoints", text: `No checkpoints on this network: ${error.message}. Blocks are final at their outlet only.` }));
      return;
    }
    throw error;
  }
  const newest = Number(status.checkpointHeight);
  const summary = el("p", { text: newest === 0
    ? "No checkpoint is final yet."
    : `Newest final checkpoint ${newest}; deciding ${status.working} (round ${status.round}); ${status.validators} validators.` });
  const rows = [];
  for (let height = newest; height >= 1 && height > newest - checkpointsShown; height--) {
    const checkpoint = await get(`/v1/checkpoints/${height}`);
    const heads = checkpoint.heads.map((h, i) => [i ? ", " : "", link(`#block=${h.outlet}/${h.height}`, `${h.outlet}@${h.height}`)]).flat();
    rows.push(el("tr", { "data-heads": checkpoint.heads.length },
      el("td", { class: "number", text: checkpoint.height }),
      el("td", { class: "number", text: checkpoint.round }),
      el("td", { text: `${checkpoint.signers.length} validators` }),
      el("td", {}, `${checkpoint.heads.length} outlets: `, ...heads),
      el("td", { class: "hex", text: short(checkpoint.networkRoot) })));
  }
  const table = rows.length ? el("table", { class: "data", id: "checkpoint-list" },
    el("thead", {}, el("tr", {}, ["height", "round", "signed by", "outlet heads covered", "network root"].map((c) => el("th", { text: c })))),
    el("tbody", {}, rows)) : null;
  section.replaceChildren(el("h2", { text: "Checkpoints" }), summary, table);
}

async function blocksView(outlet, before) {
  crumbs(link(`#outlet=${outlet}`, outletName(outlet)));
  const query = `limit=20${before ? `&before=${before}` : ""}`;
  const page = await get(`/v1/outlets/${outlet}/blocks?${query}`);
  const rows = page.blocks.map((b) => el("tr", {},
    el("td", { class: "number" }, link(`#block=${outlet}/${b.height}`, String(b.height), { "data-height": b.height })),
    el("td", { text: time(b.timestampMs) }),
    el("td", { class: "number", text: b.transactions }),
    el("td", { class: "hex", text: short(b.blockId) })));
  const pager = el("p", { class: "pager" },
    before ? link(`#outlet=${outlet}`, "Newest") : null, " ",
    page.nextBefore ? link(`#outlet=${outlet}&before=${page.nextBefore}`, "Older blocks", { id: "older" }) : null);
  show(el("h1", { text: `${outletName(outlet)} (outlet ${outlet}): blocks` }),
    el("p", { text: `Height here: ${page.head}.` }),
    el("table", { class: "data", id: "blocks" },
      el("thead", {}, el("tr", {}, ["height", "time (Singapore)", "transactions", "block id"].map((c) => el("th", { text: c })))),
      el("tbody", {}, rows)),
    pager);
}

/** The decoded rows of transaction `id` from a block's rows document, table by table. */
function transactionRows(rows, id) {
  const parts = [];
  for (const name of rows.tableOrder) {
    if (name === "blocks" || name === "transactions") continue;
    const table = rows.tables[name];
    const mine = table.rows.filter((row) => row[0] === id).map((row) => row.slice(1));
    if (mine.length) parts.push(dataTable(name, table.columns.slice(1), mine));
  }
  return parts;
}

function transactionSection(rows, row, highlight) {
  const columns = rows.tables.transactions.columns;
  const value = (name) => row[columns.indexOf(name)];
  const id = value("tx_id");
  const decoded = transactionRows(rows, id);
  return el("section", { class: `transaction${highlight ? " highlight" : ""}`, id: `tx-${id}`, "data-tx": id },
    el("h3", {}, `#${value("index_in_block")} ${value("kind")} · `, link(`#tx=${id}`, short(id), { class: "hex", title: id })),
    fields([["signed by", `${value("principal")} (${short(value("signer"))})`], ["signed at", time(value("time_ms"))],
            ["period (Z number)", String(value("period"))], ["body type", String(value("body_type"))]]),
    decoded.length ? decoded : el("p", { text: "Its only row is the transaction's own (settings and registrations)." }));
}

async function blockView(outlet, height, focus) {
  crumbs(link(`#outlet=${outlet}`, outletName(outlet)), `block ${height}`);
  const genesisOutlet = session.genesis.outlets.find((o) => o.id === outlet);
  const [info, rows] = [await get(`/v1/outlets/${outlet}/blocks/${height}`), await get(`/v1/outlets/${outlet}/blocks/${height}/rows`)];
  let verdict;
  let checked = null;
  try {
    if (!genesisOutlet) throw new Error(`outlet ${outlet} is not in the genesis`);
    checked = await verifyBlock(hexToBytes(info.block), { chainId: session.genesis.chainId, outlet: genesisOutlet, height });
    const c = checked.checks;
    const rowIds = rows.tables.transactions.rows.map((r) => r[0]);
    const rowsMatch = checked.blockId === rows.blockId && rowIds.join() === checked.transactionIds.join();
    const ok = c.producer && c.signature && c.transactionRoot && c.transactionSignatures && c.place && rowsMatch;
    const mark = (b) => (b ? "✓" : "✗");
    verdict = el("p", { id: "verification", class: `verified ${ok ? "ok" : "failed"}` },
      `signature ${mark(c.producer && c.signature)}, transaction root ${mark(c.transactionRoot)}, `
      + `transaction signatures ${mark(c.transactionSignatures)}, decoded rows of these transactions ${mark(rowsMatch)}`
      + (c.place ? "" : " — the block is not this outlet's at this height ✗"));
  } catch (error) {
    verdict = el("p", { id: "verification", class: "verified failed", text: `the block's bytes do not decode: ${error.message} ✗` });
  }
  const header = checked ? checked.block.header : null;
  const hex = (bytes) => el("span", { class: "hex", text: bytesToHex(bytes) });
  const headerFields = header ? fields([
    ["outlet", `${header.outlet} (${outletName(header.outlet)})`], ["height", header.height.toString()],
    ["block id", el("span", { class: "hex", text: checked.blockId })], ["previous block", hex(header.previousHash)],
    ["time (Singapore)", time(header.timestampMs)], ["transactions", String(header.transactionCount)],
    ["transaction root", hex(header.transactionRoot)], ["history root", hex(header.historyRoot)], ["state root", hex(header.stateRoot)],
    ["producer", el("span", {}, hex(header.producer), checked.checks.producer ? " (the outlet's genesis node key)" : " (NOT the outlet's genesis node key)")],
    ["signature", hex(checked.block.signature)],
  ]) : null;
  const previous = height > 1 ? link(`#block=${outlet}/${height - 1}`, `‹ block ${height - 1}`) : null;
  const next = link(`#block=${outlet}/${height + 1}`, `block ${height + 1} ›`);
  const transactions = rows.tables.transactions.rows.map((row) => transactionSection(rows, row, row[0] === focus));
  show(el("h1", { text: `${outletName(outlet)} (outlet ${outlet}) · block ${height}` }), verdict,
    el("p", { class: "pager" }, previous, " ", next), headerFields,
    el("h2", { text: `Transactions (${transactions.length})` }), el("div", { id: "transactions" }, transactions));
  if (focus && $(`tx-${focus}`)) $(`tx-${focus}`).scrollIntoView();
}

async function transactionView(id) {
  crumbs(`transaction ${short(id)}`);
  const info = await get(`/v1/transactions/${id}`);
  const bytes = hexToBytes(info.transaction);
  const tx = decodeTransaction(bytes);
  const idOk = bytesToHex(await tagged("SGPOS/tx-id/v1", bytes)) === id;
  const signatureOk = await verifyEd25519(tx.signer, tx.signature, signedMessage("SGPOS/tx-sig/v1", tx.unsigned));
  const rows = await get(`/v1/outlets/${info.outletId}/blocks/${info.height}/rows`);
  const row = rows.tables.transactions.rows.find((r) => r[0] === id);
  show(el("h1", { text: `Transaction ${info.bodyType}` }),
    el("p", { id: "verification", class: `verified ${idOk && signatureOk ? "ok" : "failed"}`,
              text: `id ${idOk ? "✓" : "✗"}, signer's signature ${signatureOk ? "✓" : "✗"}` }),
    fields([["id", el("span", { class: "hex", text: id })],
            ["block", link(`#block=${info.outletId}/${info.height}&tx=${id}`, `outlet ${info.outletId} (${outletName(info.outletId)}), block ${info.height}, index ${info.index}`)],
            ["signer key", el("span", { class: "hex", text: bytesToHex(tx.signer) })], ["sequence", tx.sequence.toString()]]),
    row ? transactionSection(rows, row, false) : el("p", { text: "The block's rows do not list this transaction ✗" }));
}

// MARK: navigation and search

async function route() {
  say("");
  const hash = new URLSearchParams(location.hash.slice(1));
  try {
    if (hash.has("block")) {
      const [outlet, height] = hash.get("block").split("/").map(Number);
      await blockView(outlet, height, hash.get("tx"));
    } else if (hash.has("tx")) {
      await transactionView(hash.get("tx"));
    } else if (hash.has("outlet")) {
      await blocksView(Number(hash.get("outlet")), hash.get("before"));
    } else {
      await outletsView();
    }
  } catch (error) {
    show();
    say(refusal(error));
  }
}

async function search(event) {
  event.preventDefault();
  const text = $("search").value.trim();
  let id = text.toLowerCase();
  try {
    if (text.startsWith("sgpos:")) id = parsePayload(text).transactionId;
    if (!/^[0-9a-f]{64}$/.test(id)) throw new Error("enter a transaction id (64 hex digits) or a receipt code (sgpos:1/…)");
    const info = await get(`/v1/transactions/${id}`);
    const target = `#block=${info.outletId}/${info.height}&tx=${id}`;
    if (location.hash === target) await route(); else location.hash = target;
  } catch (error) {
    say(error instanceof ApiRefusal && error.status === 404 ? `No transaction ${id} on this node.` : refusal(error));
  }
}

/**
 * The genesis the checks trust: the one pinned in this browser for the node's chain id
 * (the receipt checker's pin, docs/WEB.md "What the checker trusts"), pinned now on first
 * use; a node serving another genesis for that chain id is named in a warning.
 */
async function pinnedGenesis() {
  const response = await reach(() => fetch("/genesis.json", { cache: "no-store" }));
  const served = await response.json();
  const pin = {
    chainId: served.chainId,
    outlets: served.outlets.map((o) => ({ id: Number(o.id), name: String(o.name), nodeKey: String(o.nodeKey) })),
  };
  const key = `sgpos-genesis-pin:${pin.chainId}`;
  const stored = localStorage.getItem(key);
  if (stored === null) {
    localStorage.setItem(key, JSON.stringify(pin));
    return pin;
  }
  const pinned = JSON.parse(stored);
  if (JSON.stringify(pinned) !== JSON.stringify(pin)) {
    say(`WARNING: this node serves another genesis for ${pin.chainId} than the one pinned in this browser; blocks are checked against the pinned one.`);
  }
  return pinned;
}

async function start() {
  session.pair = await keyPair("office");
  await reach(() => api.health());
  session.me = await whoamiOnceRegistered(session.pair, reach, () => {
    showPairing(session.pair, registerCommand(session.pair, { keyFile: "<admin key file>", role: "operator", principal: "<name>" }));
    $("pairing").hidden = false;
  });
  $("pairing").hidden = true;
  if (!["operator", "auditor", "admin"].includes(session.me.role)) {
    say(`This browser's key is registered as ${session.me.role} "${session.me.principal}": the explorer needs an operator, auditor or admin key.`);
    return;
  }
  $("who").textContent = `· ${session.me.principal} (${session.me.role}${session.me.role === "operator" ? ` of outlet ${session.me.outletId}` : ""})`;
  session.genesis = await pinnedGenesis();
  $("explorer").hidden = false;
  $("search-form").addEventListener("submit", search);
  window.addEventListener("hashchange", route);
  await route();
}

start().catch((error) => say(refusal(error)));
