// The web till (docs/WEB.md, "Till"): pairing, shift, basket priced by the node, tenders,
// signing in the browser, submission that survives the node going away (the same signed
// bytes are sent again until the node answers: never a second sale), receipts, refunds,
// voids and the shift close.

import { keyPair, load, save, forget } from "./keys.js";
import { api, ApiRefusal } from "./node-api.js";
import { $, sleep, say, connection, reach } from "./page.js";
import { registerCommand, showPairing, whoamiOnceRegistered } from "./pairing.js";
import { signTransaction } from "./transaction.js";
import { hexToBytes, bytesToHex } from "./codec.js";

const sections = ["pairing", "open-shift", "selling", "pending", "document"];
const till = { pair: null, health: null, me: null, basket: [], quote: null, busy: false, payNow: null };

function show(section) {
  for (const name of sections) $(name).hidden = name !== section;
  const focus = { "open-shift": "float", selling: "sku" }[section];
  if (focus) $(focus).focus();
}

// MARK: pairing and shift

async function identify() {
  till.me = await whoamiOnceRegistered(till.pair, reach, () => {
    showPairing(till.pair, registerCommand(till.pair, { keyFile: "<manager key file>", principal: "<till name>" }));
    show("pairing");
  });
  if (till.me.role !== "till") {
    say(`This browser's key is registered as ${till.me.role} "${till.me.principal}", not as a till.`);
    return;
  }
  $("who").textContent = `· ${till.me.principal} · outlet ${till.me.outletId}`;
  say("");
  await refreshShift();
}

async function currentShift() {
  try {
    return await reach(() => api.shift(till.pair, till.me.outletId, till.me.principal));
  } catch (error) {
    if (error instanceof ApiRefusal && error.status === 404) return null;
    throw error;
  }
}

async function refreshShift() {
  const shift = await currentShift();
  if (shift && shift.open) {
    show("selling");
    renderBasket();
  } else {
    show("open-shift");
  }
}

// MARK: signing and delivery

/** A sequence above every one this key used: the time in microseconds, or one more than the last. */
async function nextSequence() {
  const last = (await load("till:sequence")) ?? 0n;
  const now = BigInt(Date.now()) * 1000n;
  const next = now > last ? now : last + 1n;
  await save("till:sequence", next);
  return next;
}

/**
 * Asks the node for the exact body (`request`), signs it here, keeps it in IndexedDB and
 * delivers it. Returns the node's submit answer. A refusal of the prepare or the submit
 * throws ApiRefusal (nothing was written); an unreachable node is retried forever with
 * the same bytes.
 */
async function commit(request, label) {
  const prepared = await reach(() => api.prepare(till.pair, request));
  const signed = await signTransaction(till.pair, {
    chainId: till.health.chainId, outlet: till.health.outletId, sequence: await nextSequence(),
    idempotency: crypto.getRandomValues(new Uint8Array(16)), timestampMs: Date.now(),
    bodyType: prepared.bodyType, body: hexToBytes(prepared.body),
  });
  const pending = { bytes: bytesToHex(signed.bytes), id: bytesToHex(signed.id), label, kind: request.kind, amount: prepared.amount };
  await save("till:pending", pending);
  return deliver(pending);
}

async function deliver(pending) {
  show("pending");
  $("pending-title").textContent = `Sending the ${pending.label} (S$${pending.amount})…`;
  $("pending-detail").textContent = "";
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await api.submit(hexToBytes(pending.bytes));
      await forget("till:pending");
      connection(true);
      return { ...result, pending };
    } catch (error) {
      if (error instanceof ApiRefusal) {
        await forget("till:pending");
        connection(true);
        throw error;
      }
      connection(false, error.message);
      $("pending-title").textContent = `The node cannot be reached: the ${pending.label} is kept`;
      $("pending-detail").textContent =
        `It is signed and will be sent again, the same bytes, until the node answers (attempt ${attempt}). `
        + "It is never sent as a second sale.";
      await sleep(2000);
    }
  }
}

async function showDocument(id) {
  const receipt = await reach(() => api.receipt(till.pair, id));
  $("document-text").textContent = receipt.lines.join("\n");
  const qr = $("document-qr");
  qr.hidden = true;
  qr.onload = () => { qr.hidden = false; };
  qr.src = `/qr.svg?text=${encodeURIComponent(receipt.qrPayload)}`;
  $("document").dataset.payload = receipt.qrPayload;
  $("document").dataset.transaction = id;
  show("document");
  $("next").focus();
}

// MARK: basket

function basketLines() {
  return till.basket.map((line) => ({ sku: line.sku, qty: line.qty }));
}

async function requote() {
  $("pay").disabled = true;
  cancelPayNow();
  if (till.basket.length === 0) {
    till.quote = null;
    renderBasket();
    return;
  }
  const member = $("member").value.trim();
  try {
    till.quote = await reach(() => api.quote(till.pair, { lines: basketLines(), ...(member ? { memberId: member } : {}) }));
    say("");
  } catch (error) {
    // The line just added (or the member) is what the node refused: take it back.
    say(error.message);
    if (till.basket.length > 0 && !error.message.includes("member")) till.basket.pop();
    till.quote = null;
    if (till.basket.length > 0) return requote();
  }
  renderBasket();
}

function renderBasket() {
  const body = $("basket").querySelector("tbody");
  const rows = till.quote ? till.quote.lines : till.basket.map((line) => ({ ...line, unitPrice: "", discount: "", net: "" }));
  body.replaceChildren(...rows.map((line, index) => {
    const row = document.createElement("tr");
    for (const text of [line.sku, line.qty, line.unitPrice, line.discount, line.net]) {
      const cell = document.createElement("td");
      cell.textContent = String(text);
      row.append(cell);
    }
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "remove";
    remove.addEventListener("click", () => { till.basket.splice(index, 1); requote(); });
    const cell = document.createElement("td");
    cell.append(remove);
    row.append(cell);
    return row;
  }));
  const totals = $("totals");
  if (!till.quote) {
    totals.replaceChildren();
    $("pay").disabled = true;
    return;
  }
  const q = till.quote;
  const entries = [["Subtotal", q.subtotal], ["Discount", q.discount], [`GST (${q.gstBasisPoints / 100}%) included`, q.gst],
                   ["Total", q.total], ["Amount due", q.amountDue]];
  if (q.appliedRules.length > 0) entries.push(["Promotions", q.appliedRules.join(", ")]);
  totals.replaceChildren(...entries.flatMap(([name, value]) => {
    const term = document.createElement("dt");
    term.textContent = name;
    const definition = document.createElement("dd");
    definition.textContent = value;
    definition.id = `total-${name.split(" ")[0].toLowerCase()}`;
    return [term, definition];
  }));
  $("pay").disabled = false;
}

function addItem(event) {
  event.preventDefault();
  const sku = $("sku").value.trim();
  const qty = Number.parseInt($("qty").value, 10);
  if (!sku) return;
  if (!Number.isInteger(qty) || qty < 1 || qty > 9999) {
    say("quantity must be a whole number from 1 to 9999");
    return;
  }
  const same = till.basket.find((line) => line.sku === sku);
  if (same) same.qty += qty; else till.basket.push({ sku, qty });
  $("sku").value = "";
  $("qty").value = "1";
  $("sku").focus();
  requote();
}

function payment() {
  const kind = $("tender-kind").value;
  if (kind === "cash") {
    const given = $("tendered").value.trim();
    return given ? { kind, tendered: given } : { kind };
  }
  if (kind === "card" || kind === "nets") {
    const approval = $("approval").value.trim();
    const pan = $("pan").value.trim();
    if (!approval || !pan) throw new Error("enter the terminal's approval code and the masked card number");
    const card = { kind, terminalId: "WEBTILL", approvalCode: approval, rrn: approval, maskedPan: pan };
    return kind === "card" ? { ...card, scheme: "card" } : card;
  }
  if (kind === "paynow") {
    return { kind, billReference: till.payNow.reference, payNowPayload: till.payNow.payload };
  }
  const voucher = $("voucher").value.trim();
  if (!voucher) throw new Error("enter the voucher number");
  return { kind: "voucher", voucherId: voucher };
}

/** PayNow: the node makes the SGQR payload for the amount due; the customer pays; the cashier confirms. */
async function showPayNow() {
  const reference = `W${Date.now().toString(36).toUpperCase()}`;
  try {
    const code = await reach(() => api.payNow(till.pair, { amount: till.quote.amountDue, reference }));
    till.payNow = code;
    $("paynow-amount").textContent = code.amount;
    $("paynow-reference").textContent = code.reference;
    $("paynow-qr").src = `/qr.svg?text=${encodeURIComponent(code.payload)}`;
    $("paynow").hidden = false;
    $("paynow-paid").focus();
  } catch (error) {
    say(`PayNow is not available: ${error.message}`);
  }
}

async function pay() {
  if (till.busy || !till.quote) return;
  if ($("tender-kind").value === "paynow" && !till.payNow) { await showPayNow(); return; }
  let method;
  try { method = payment(); } catch (error) { say(error.message); return; }
  till.busy = true;
  const member = $("member").value.trim();
  try {
    const result = await commit({ kind: "sale", till: till.me.principal, lines: basketLines(), payment: method,
                                  ...(member ? { memberId: member } : {}) }, "sale");
    till.basket = [];
    till.quote = null;
    cancelPayNow();
    $("member").value = "";
    $("tendered").value = "";
    say("");
    await showDocument(result.transactionId);
  } catch (error) {
    say(`Not sold: ${error.message}`);
    show("selling");
  } finally {
    till.busy = false;
  }
}

// MARK: after the sale: refunds, voids, shift close

function lookupID() {
  const text = $("lookup").value.trim();
  if (text.startsWith("sgpos:1/")) return text.split("/")[4] || "";
  return text;
}

async function lookup(event) {
  event.preventDefault();
  const id = lookupID();
  if (!/^[0-9a-f]{64}$/.test(id)) { say("enter a receipt code (sgpos:1/…) or a transaction id"); return; }
  try {
    const receipt = await reach(() => api.receipt(till.pair, id));
    $("lookup-text").textContent = receipt.lines.join("\n");
    $("lookup-result").hidden = false;
    $("lookup-result").dataset.transaction = id;
    say("");
  } catch (error) {
    say(error.message);
  }
}

async function refund() {
  const sale = $("lookup-result").dataset.transaction;
  const lines = $("refund-lines").value.split(",").map((part) => part.trim()).filter(Boolean).map((part) => {
    const [line, qty] = part.split(":").map((n) => Number.parseInt(n, 10));
    return { line, qty };
  });
  if (lines.length === 0 || lines.some((l) => !Number.isInteger(l.line) || !Number.isInteger(l.qty))) {
    say("give the lines to refund as line:quantity, e.g. 1:1");
    return;
  }
  try {
    const result = await commit({ kind: "refund", till: till.me.principal, sale, refundLines: lines,
                                  reason: $("refund-reason").value.trim() || "returned goods", restock: true,
                                  payment: { kind: "cash" } }, "refund");
    $("lookup-result").hidden = true;
    await showDocument(result.transactionId);
  } catch (error) {
    say(`Not refunded: ${error.message}`);
    show("selling");
  }
}

async function voidSale() {
  const sale = $("lookup-result").dataset.transaction;
  try {
    await commit({ kind: "void", till: till.me.principal, sale, reason: $("refund-reason").value.trim() || "cancelled at the till" },
                 "void");
    $("lookup-result").hidden = true;
    say("The sale is voided.", "info");
    show("selling");
  } catch (error) {
    say(`Not voided: ${error.message}`);
    show("selling");
  }
}

async function openShift(event) {
  event.preventDefault();
  try {
    await commit({ kind: "shift-open", till: till.me.principal, float: $("float").value.trim() }, "shift open");
    say("");
    await refreshShift();
  } catch (error) {
    say(`Shift not opened: ${error.message}`);
    show("open-shift");
  }
}

async function closeShift(event) {
  event.preventDefault();
  const counted = $("counted").value.trim();
  try {
    const before = await currentShift();
    await commit({ kind: "shift-close", till: till.me.principal, counted }, "shift close");
    const expected = before ? before.expectedCash : "?";
    say(`Shift ${before ? before.number : ""} closed: counted S$${counted}, expected S$${expected}.`, "info");
    $("counted").value = "";
    await refreshShift();
  } catch (error) {
    say(`Shift not closed: ${error.message}`);
    show("selling");
  }
}

function cancelPayNow() {
  till.payNow = null;
  $("paynow").hidden = true;
}

function onTenderKind() {
  cancelPayNow();
  const kind = $("tender-kind").value;
  $("cash-fields").hidden = kind !== "cash";
  $("card-fields").hidden = kind !== "card" && kind !== "nets";
  $("voucher-fields").hidden = kind !== "voucher";
}

// MARK: start

async function start() {
  $("scan-form").addEventListener("submit", addItem);
  $("member").addEventListener("change", requote);
  $("pay").addEventListener("click", pay);
  $("paynow-paid").addEventListener("click", pay);
  $("paynow-cancel").addEventListener("click", cancelPayNow);
  $("tender-kind").addEventListener("change", onTenderKind);
  $("open-shift-form").addEventListener("submit", openShift);
  $("close-shift-form").addEventListener("submit", closeShift);
  $("lookup-form").addEventListener("submit", lookup);
  $("refund-button").addEventListener("click", refund);
  $("void-button").addEventListener("click", voidSale);
  $("next").addEventListener("click", () => { say(""); refreshShift(); });
  document.addEventListener("keydown", (event) => {
    // F2 pays, Escape empties the basket (keyboard and scanner only).
    if (event.key === "F2" && !$("selling").hidden) { event.preventDefault(); pay(); }
    if (event.key === "Escape" && !$("selling").hidden) { till.basket = []; requote(); }
  });
  onTenderKind();
  till.pair = await keyPair("till");
  till.health = await reach(() => api.health());
  const pending = await load("till:pending");
  if (pending) {
    // A transaction signed before the page was closed or the node went away: send the same bytes.
    await identifyQuietly();
    try {
      const result = await deliver(pending);
      if (pending.kind === "sale" || pending.kind === "refund") { await showDocument(result.transactionId); return; }
    } catch (error) {
      say(`The ${pending.label} kept from before was refused: ${error.message}`);
    }
  }
  await identify();
}

async function identifyQuietly() {
  try { till.me = await reach(() => api.whoami(till.pair)); } catch { till.me = null; }
}

start().catch((error) => say(`The till could not start: ${error.message}`));
