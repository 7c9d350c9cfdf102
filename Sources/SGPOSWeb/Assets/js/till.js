// The web till (docs/WEB.md, "Till"): pairing, shift, basket priced by the node, tenders,
// signing in the browser, submission that survives the node going away (the same signed
// bytes are sent again until the node answers: never a second sale), receipts, refunds,
// voids and the shift close; item search, members and points, the receipt printer
// (till-search.js, till-member.js, till-print.js).

import { keyPair, load, save, forget } from "./keys.js";
import { api, ApiRefusal } from "./node-api.js";
import { $, sleep, say, connection, reach } from "./page.js";
import { registerCommand, showPairing, whoamiOnceRegistered } from "./pairing.js";
import { signTransaction } from "./transaction.js";
import { hexToBytes, bytesToHex } from "./codec.js";
import { itemSearch, suggestionsMax } from "./till-search.js";
import { memberIdPattern, cents, money, points, describeMember, parseRedeem } from "./till-member.js";
import { printReceipt, printsEveryReceipt, setPrintsEveryReceipt } from "./till-print.js";

const sections = ["pairing", "open-shift", "selling", "pending", "document"];
const till = {
  pair: null, health: null, me: null, basket: [], quote: null, busy: false, payNow: null, search: null,
  // The member: null, or { id, status: "looking" | "known" | "unknown" | "invalid", data (known), message }.
  member: null, memberGeneration: 0,
  // The latest requote wins; points redeemed in the quote shown, their value, the node's refusal.
  quoteGeneration: 0, redeemTimer: null, redeemed: 0, pointsValue: null, pointsRefusal: null,
  // Promotion codes keyed in for this basket (a deployed rule's has_code reads them).
  codes: [],
};

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

/** Shows a receipt or credit note; `fresh` (just committed) prints it when this browser prints every receipt. */
async function showDocument(id, { fresh = false } = {}) {
  const receipt = await reach(() => api.receipt(till.pair, id));
  $("document-text").textContent = receipt.lines.join("\n");
  const qr = $("document-qr");
  qr.hidden = true;
  qr.onload = () => { qr.hidden = false; };
  qr.src = `/qr.svg?text=${encodeURIComponent(receipt.qrPayload)}`;
  $("document").dataset.payload = receipt.qrPayload;
  $("document").dataset.transaction = id;
  $("document").dataset.number = receipt.number;
  const status = $("print-status");
  status.textContent = "";
  status.className = "print-status";
  delete status.dataset.state;
  $("print-every").checked = printsEveryReceipt();
  show("document");
  $("next").focus();
  if (fresh && printsEveryReceipt()) await printReceipt(till.pair, id, status, $("print"));
}

function printShown() {
  const id = $("document").dataset.transaction;
  if (id) printReceipt(till.pair, id, $("print-status"), $("print"));
}

// MARK: basket

function basketLines() {
  return till.basket.map((line) => ({ sku: line.sku, qty: line.qty }));
}

/**
 * A sale's lines and scans for the node to build: the units scanned from GS1 barcodes go as
 * `scans` (each puts its lot on the line, FORMAT.md §13.6), the rest as typed lines.
 */
function saleLinesAndScans() {
  const lines = till.basket.filter((line) => line.qty > line.scans.length).map((line) => ({ sku: line.sku, qty: line.qty - line.scans.length }));
  const scans = till.basket.flatMap((line) => line.scans);
  return { ...(lines.length > 0 ? { lines } : {}), ...(scans.length > 0 ? { scans } : {}) };
}

/** A GS1 element string from a scanner (a symbology identifier, FNC1 as GS, or the printed (01) form). */
export function looksLikeGS1(text) {
  return /^(\]d2|\]C1|\]Q3|\]e0|\(01\)|\u001d|01[0-9]{14})/.test(text);
}

/**
 * What the member and points add to a quote and a sale: { memberId, redeemPoints } as
 * sent, and `blocked` — why the sale cannot go on as typed (an unknown member, points that
 * are not a number, a lookup under way); the basket is then priced without them.
 */
function memberTerms() {
  const member = till.member;
  if (!member) return {};
  if (member.status !== "known") return { blocked: member.message };
  const terms = { memberId: member.id };
  if (member.data.points > 0) {
    const redeem = parseRedeem($("redeem").value);
    if (redeem.error) return { ...terms, blocked: redeem.error };
    if (redeem.points > 0) terms.redeemPoints = redeem.points;
  }
  return terms;
}

/**
 * Prices the basket at the node (the latest call wins). The quote says what the redeemed
 * points are worth (`pointsValue`: inside the discount, or the points tender). When a
 * quote with points is refused, the basket is priced again without them: if that one
 * passes, the refusal was the points' (shown; the basket stays, priced without).
 */
async function requote({ keepMessage = false } = {}) {
  const generation = ++till.quoteGeneration;
  clearTimeout(till.redeemTimer);
  till.redeemTimer = null;
  $("pay").disabled = true;
  cancelPayNow();
  if (till.basket.length === 0) {
    till.quote = null;
    till.redeemed = 0;
    till.pointsValue = null;
    till.pointsRefusal = null;
    renderBasket();
    return;
  }
  const terms = memberTerms();
  const request = { lines: basketLines(), ...(terms.memberId ? { memberId: terms.memberId } : {}),
                    ...(till.codes.length > 0 ? { codes: till.codes } : {}) };
  const ask = (body) => reach(() => api.quote(till.pair, body));
  let quote;
  let refusal = null;
  try {
    if (terms.redeemPoints) {
      try {
        quote = await ask({ ...request, redeemPoints: terms.redeemPoints });
      } catch (error) {
        if (!(error instanceof ApiRefusal)) throw error;
        quote = await ask(request);
        refusal = error.message;
      }
    } else {
      quote = await ask(request);
    }
  } catch (error) {
    if (generation !== till.quoteGeneration) return;
    // The line just added is what the node refused (an unknown SKU): take it back, say why.
    say(error.message);
    till.basket.pop();
    till.quote = null;
    return requote({ keepMessage: true });
  }
  if (generation !== till.quoteGeneration) return;  // the basket changed meanwhile: a newer quote is coming
  if (!keepMessage) say("");
  till.quote = quote;
  till.pointsRefusal = refusal;
  till.redeemed = refusal ? 0 : quote.pointsRedeemed;
  till.pointsValue = till.redeemed > 0 ? { cents: cents(quote.pointsValue), tender: cents(quote.pointsTender) > 0 } : null;
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
  renderRedeem();
  if (!till.quote) {
    totals.replaceChildren();
    $("pay").disabled = true;
    return;
  }
  const q = till.quote;
  const value = till.pointsValue;
  // Points redeemed as a discount are inside the quote's discount: shown on a line of their own.
  const pointsLine = value ? [[`Points redeemed (${points(till.redeemed)})`, money(value.cents)]] : [];
  const discount = value && !value.tender ? money(cents(q.discount) - value.cents) : q.discount;
  const entries = [["Subtotal", q.subtotal], ["Discount", discount], ...(value && !value.tender ? pointsLine : []),
                   [`GST (${q.gstBasisPoints / 100}%) included`, q.gst], ["Total", q.total],
                   ...(value && value.tender ? pointsLine : []), ["Amount due", q.amountDue]];
  const rules = q.appliedRules.filter((rule) => !(value && rule === "loyalty-points"));
  if (rules.length > 0) entries.push(["Promotions", rules.join(", ")]);
  // Promotions that did not apply and said why, for the cashier to tell the customer.
  const skipped = (q.skippedRules || []).map((entry) => `${entry.rule}: ${entry.reason}`);
  if (skipped.length > 0) entries.push(["Not applied", skipped.join("; ")]);
  totals.replaceChildren(...entries.flatMap(([name, value]) => {
    const term = document.createElement("dt");
    term.textContent = name;
    const definition = document.createElement("dd");
    definition.textContent = value;
    definition.id = `total-${name.split(" ")[0].toLowerCase()}`;
    return [term, definition];
  }));
  $("pay").disabled = Boolean(memberTerms().blocked || till.pointsRefusal);
}

// MARK: member and points

function renderMember() {
  const info = $("member-info");
  const member = till.member;
  info.className = "member-info";
  delete info.dataset.points;
  delete info.dataset.tier;
  delete info.dataset.state;
  if (!member) {
    info.textContent = "";
  } else if (member.status === "known") {
    info.textContent = describeMember(member.data);
    info.dataset.points = String(member.data.points);
    info.dataset.tier = member.data.tier;
    info.dataset.state = "known";
  } else {
    info.textContent = member.message;
    info.dataset.state = member.status;
    if (member.status !== "looking") info.className = "member-info error";
  }
  renderRedeem();
}

/** The redeem box: shown only for a member the node knows with points; its refusal or error. */
function renderRedeem() {
  const member = till.member;
  const offered = Boolean(member && member.status === "known" && member.data.points > 0);
  $("redeem-form").hidden = !offered;
  const status = $("redeem-status");
  if (!offered) { status.textContent = ""; return; }
  $("redeem-help").textContent = `up to ${points(member.data.points)} points`;
  const typed = parseRedeem($("redeem").value);
  status.textContent = typed.error || till.pointsRefusal || "";
}

/** Looks the member number up at the node; `force` asks again for the same number. */
async function lookupMember(force = false) {
  const id = $("member").value.trim();
  if (till.member && till.member.id === id && till.member.status === "looking") return;  // asked already
  if (!force && (till.member ? till.member.id === id : id === "")) return;
  const generation = ++till.memberGeneration;
  $("redeem").value = "";
  till.pointsRefusal = null;
  if (!id) {
    till.member = null;
  } else if (!memberIdPattern.test(id)) {
    till.member = { id, status: "invalid",
                    message: `"${id}" is not a member number: letters, digits, ".", "_" and "-", at most 32.` };
  } else {
    till.member = { id, status: "looking", message: `Looking up member ${id}…` };
    renderMember();
    $("pay").disabled = true;
    let found;
    try {
      found = { id, status: "known", data: await reach(() => api.member(till.pair, id)) };
    } catch (error) {
      found = { id, status: "unknown", message: error.status === 404
        ? `No member "${id}" at this outlet. Check the number, or clear the box to sell without a member; the basket is kept.`
        : `Member "${id}" not found: ${error.message}` };
    }
    if (generation !== till.memberGeneration) return;  // another number was entered meanwhile
    till.member = found;
  }
  renderMember();
  await requote();
}

function onRedeemInput() {
  // Live: re-priced 250 ms after the last key; Pay waits for the new quote.
  $("pay").disabled = true;
  till.pointsRefusal = null;
  renderRedeem();
  clearTimeout(till.redeemTimer);
  till.redeemTimer = setTimeout(() => requote(), 250);
}

// MARK: promotion codes

/** The codes keyed in, each with a button that takes it off. */
function renderCodes() {
  const list = $("codes");
  list.replaceChildren(...till.codes.map((code) => {
    const item = document.createElement("li");
    item.textContent = code + " ";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", `Remove code ${code}`);
    remove.addEventListener("click", () => { till.codes = till.codes.filter((c) => c !== code); renderCodes(); requote(); });
    item.append(remove);
    return item;
  }));
}

/**
 * Keys in a promotion code: the node prices the basket with it first, so a code no rule
 * accepts is refused here with the node's reason and never reaches the sale.
 */
async function applyCode(event) {
  event.preventDefault();
  const code = $("code").value.trim().toUpperCase();
  if (!code) return;
  if (!/^[!-~]{1,32}$/.test(code)) { say("A promotion code is 1 to 32 letters, digits or signs, without spaces."); return; }
  if (till.codes.includes(code)) { say(`${code} is keyed in already.`, "info"); return; }
  if (till.codes.length >= 8) { say("At most 8 promotion codes on one sale."); return; }
  if (till.basket.length > 0) {
    const terms = memberTerms();
    try {
      await reach(() => api.quote(till.pair, { lines: basketLines(), codes: [...till.codes, code],
                                               ...(terms.memberId ? { memberId: terms.memberId } : {}) }));
    } catch (error) {
      say(`Code ${code} not taken: ${error.message}`);
      $("code").select();  // typing again replaces it
      return;
    }
  }
  till.codes.push(code);
  $("code").value = "";
  renderCodes();
  say(`Code ${code} keyed in.`, "info");
  requote();
}

function clearMember() {
  $("member").value = "";
  $("redeem").value = "";
  till.member = null;
  till.memberGeneration += 1;
  renderMember();
}

function addItem(event) {
  event.preventDefault();
  if (till.search) till.search.cancel();
  const text = $("sku").value.trim();
  if (looksLikeGS1(text)) { addScan(text); return; }
  addSku(text);
}

/**
 * A GS1 barcode scanned: the node says which SKU it is and whether the outlet recorded a
 * recall of its lot; a recalled lot never reaches the basket.
 */
async function addScan(text) {
  let found;
  try {
    found = await reach(() => api.lot(till.pair, till.me.outletId, text));
  } catch (error) {
    say(error.message);
    return;
  }
  $("sku").value = "";
  $("sku").focus();
  if (found.recall) {
    say(`RECALLED: lot ${found.lot} of ${found.sku} (GTIN ${found.gtin}) — ${found.recall.reason}. Do not sell it; take it off the shelf.`);
    return;
  }
  const same = till.basket.find((line) => line.sku === found.sku);
  if (same) { same.qty += 1; same.scans.push(text); } else till.basket.push({ sku: found.sku, qty: 1, scans: [text] });
  say(found.lot ? `${found.sku}: lot ${found.lot}${found.expiry ? `, expires ${found.expiry}` : ""}` : "", "info");
  requote({ keepMessage: true });
}

/** Adds `sku` (typed, scanned or chosen from the suggestions) with the quantity in the box. */
function addSku(sku) {
  const qty = Number.parseInt($("qty").value, 10);
  if (!sku) return;
  if (!Number.isInteger(qty) || qty < 1 || qty > 9999) {
    say("quantity must be a whole number from 1 to 9999");
    return;
  }
  const same = till.basket.find((line) => line.sku === sku);
  if (same) same.qty += qty; else till.basket.push({ sku, qty, scans: [] });
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
  // Pay is disabled while the basket is being priced, and while the member or points are refused.
  if (till.busy || !till.quote || $("pay").disabled) return;
  if ($("member").value.trim() !== (till.member ? till.member.id : "")) {
    // A member number typed but not looked up yet (F2 straight from the box): look it up first.
    say("The member number changed: check the member and the total, then pay.", "info");
    await lookupMember();
    return;
  }
  const terms = memberTerms();
  if (terms.blocked) { say(terms.blocked); return; }
  if ($("tender-kind").value === "paynow" && !till.payNow) { await showPayNow(); return; }
  let method;
  try { method = payment(); } catch (error) { say(error.message); return; }
  till.busy = true;
  try {
    const result = await commit({ kind: "sale", till: till.me.principal, ...saleLinesAndScans(), payment: method,
                                  ...(terms.memberId ? { memberId: terms.memberId } : {}),
                                  ...(terms.redeemPoints ? { redeemPoints: terms.redeemPoints } : {}),
                                  ...(till.codes.length > 0 ? { codes: till.codes } : {}) }, "sale");
    till.basket = [];
    till.codes = [];
    renderCodes();
    till.quote = null;
    till.redeemed = 0;
    till.pointsValue = null;
    till.pointsRefusal = null;
    cancelPayNow();
    clearMember();
    $("tendered").value = "";
    say("");
    await showDocument(result.transactionId, { fresh: true });
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
    await showDocument(result.transactionId, { fresh: true });
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
  till.search = itemSearch({
    input: $("sku"), list: $("sku-suggestions"), status: $("sku-status"),
    find: async (q) => (await api.items(till.pair, till.me.outletId, q, suggestionsMax)).items,
    choose: (sku) => { $("sku").value = ""; addSku(sku); },
  });
  $("member-form").addEventListener("submit", (event) => { event.preventDefault(); lookupMember(true); });
  $("member").addEventListener("change", () => lookupMember());
  $("redeem-form").addEventListener("submit", (event) => { event.preventDefault(); requote(); });
  $("code-form").addEventListener("submit", applyCode);
  $("redeem").addEventListener("input", onRedeemInput);
  $("print").addEventListener("click", printShown);
  $("print-every").addEventListener("change", () => setPrintsEveryReceipt($("print-every").checked));
  $("print-every").checked = printsEveryReceipt();
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
      if (pending.kind === "sale" || pending.kind === "refund") { await showDocument(result.transactionId, { fresh: true }); return; }
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
