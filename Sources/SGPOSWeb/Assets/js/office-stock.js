// The back office's stock page (docs/WEB.md, "Back office", "Stock"): the outlet's stock
// on hand as the stock report gives it (`GET /v1/reports/stock?outlet=N`; negatives
// highlighted; a filter), the transfers to and from the outlet (`GET /v1/network/transfers`,
// their lines from the report's `inTransit`), and the manager's stock transactions —
// a delivery received, an adjustment, a transfer sent, an incoming transfer received —
// prepared by the node, signed here and submitted (office-commit.js). The tables are
// fetched again after every submit, 300 ms after blocks arrive (`GET /v1/events`), and
// every 30 s.

import { ApiRefusal } from "./node-api.js";
import { readBlockEvents } from "./event-stream.js";
import { commit, committing, resumePending } from "./office-commit.js";
import { $, connection, element, getJSON, reportTarget, say, sleep, startSession } from "./office-session.js";

const page = { session: null, outlet: 0, canSign: false, stock: null, transfers: null, refreshing: false, again: false, debounce: null };

// MARK: lines editors (receive, send)

/** A list of SKU / quantity rows in `fieldset`, ids `${prefix}-sku-N` and `${prefix}-qty-N`. */
function linesEditor(fieldset, prefix) {
  let next = 0;
  const rows = () => [...fieldset.querySelectorAll(".line")];
  function add(focus = false) {
    next += 1;
    const row = element("div", "", "line");
    const skuId = `${prefix}-sku-${next}`;
    const qtyId = `${prefix}-qty-${next}`;
    const skuLabel = element("label", "SKU", "inline");
    skuLabel.htmlFor = skuId;
    const sku = element("input");
    Object.assign(sku, { id: skuId, type: "text", maxLength: 64, spellcheck: false, autocomplete: "off" });
    sku.setAttribute("list", "sku-list");
    const qtyLabel = element("label", "Quantity", "inline");
    qtyLabel.htmlFor = qtyId;
    const qty = element("input");
    Object.assign(qty, { id: qtyId, type: "number", min: "1", step: "1", value: "1", className: "qty" });
    const remove = element("button", "Remove", "small");
    remove.type = "button";
    remove.setAttribute("aria-label", `Remove line ${next}`);
    remove.addEventListener("click", () => {
      if (rows().length > 1) { row.remove(); } else { sku.value = ""; qty.value = "1"; }
      (rows().at(-1)?.querySelector("input") || fieldset).focus();
    });
    row.append(skuLabel, sku, qtyLabel, qty, remove);
    fieldset.append(row);
    if (focus) sku.focus();
  }
  /** The lines entered ({sku, qty}); throws naming the first line that is not whole. */
  function read() {
    const lines = [];
    rows().forEach((row, index) => {
      const [sku, qty] = row.querySelectorAll("input");
      const code = sku.value.trim();
      if (!code && (qty.value === "" || qty.value === "1")) return; // an empty row is left out
      const count = Number(qty.value);
      if (!code) throw new Error(`line ${index + 1}: enter a SKU`);
      if (!Number.isInteger(count) || count < 1) throw new Error(`line ${index + 1}: the quantity must be a whole number of at least 1`);
      lines.push({ sku: code, qty: count });
    });
    if (lines.length === 0) throw new Error("enter at least one line (SKU and quantity)");
    return lines;
  }
  function reset() {
    for (const row of rows()) row.remove();
    add();
  }
  add();
  return { add, read, reset };
}

// MARK: rendering

function cell(text, className = "") {
  return element("td", text === null || text === undefined ? "—" : String(text), className);
}

function renderItems() {
  const stock = page.stock;
  if (!stock) return;
  const items = stock.items.filter((item) => item.outletId === page.outlet);
  const query = $("stock-filter").value.trim().toLowerCase();
  const shown = query ? items.filter((item) => item.sku.toLowerCase().includes(query) || item.category.toLowerCase().includes(query)) : items;
  const totals = stock.totals;
  const negatives = items.filter((item) => item.onHand < 0);
  $("stock-totals").replaceChildren(
    element("span", `${totals.skus} SKUs, ${totals.units} units, value S$${totals.value} at list price`
      + `${totals.costValue !== "0.00" ? ` (S$${totals.costValue} at the last cost where known)` : ""}. `),
    element("span", negatives.length ? `${negatives.length} below zero: ${negatives.map((item) => `${item.sku} (${item.onHand})`).join(", ")}.`
      : "None below zero.", negatives.length ? "negative-note" : ""));
  $("stock-shown").textContent = query ? `${shown.length} of ${items.length} items match “${query}”.` : "";
  if (shown.length === 0) {
    $("stock-items").replaceChildren(element("p", items.length ? "No item matches the filter." : "No stock recorded at this outlet yet."));
    return;
  }
  const result = element("table", "", "figures");
  result.id = "stock-table";
  const head = element("thead");
  const headRow = element("tr");
  for (const name of ["SKU", "Category", "On hand", "Unit price S$", "Value S$", "Unit cost S$", "Cost value S$"]) {
    const th = element("th", name, ["SKU", "Category"].includes(name) ? "" : "n");
    th.scope = "col";
    headRow.append(th);
  }
  head.append(headRow);
  const body = element("tbody");
  for (const item of shown) {
    const row = element("tr", "", item.onHand < 0 ? "negative" : "");
    row.dataset.sku = item.sku;
    row.dataset.onHand = String(item.onHand);
    const onHand = cell(item.onHand, "n on-hand");
    if (item.onHand < 0) onHand.append(element("span", " below zero", "badge"));
    row.append(cell(item.sku), cell(item.category), onHand, cell(item.unitPrice, "n"), cell(item.value, "n"),
               cell(item.unitCost, "n"), cell(item.costValue, "n"));
    body.append(row);
  }
  result.append(head, body);
  $("stock-items").replaceChildren(result);
}

function renderTransfers() {
  if (!page.transfers || !page.stock) return;
  const lines = new Map(page.stock.inTransit.map((transfer) => [transfer.transferId, transfer.lines]));
  const rank = (transfer) => (transfer.status === "in-transit" ? 0 : 1);
  const mine = page.transfers.transfers.filter((transfer) => transfer.from === page.outlet || transfer.to === page.outlet)
    .sort((a, b) => rank(a) - rank(b));
  if (mine.length === 0) {
    $("transfers").replaceChildren(element("p", "No transfer to or from this outlet."));
    return;
  }
  const result = element("table", "", "figures");
  result.id = "transfers-table";
  const head = element("thead");
  const headRow = element("tr");
  for (const name of ["Transfer", "Direction", "Items", "Status", ""]) {
    const th = element("th", name);
    th.scope = "col";
    headRow.append(th);
  }
  head.append(headRow);
  const body = element("tbody");
  for (const transfer of mine) {
    const incoming = transfer.to === page.outlet;
    const row = element("tr", "", transfer.status === "in-transit" ? "in-transit" : "");
    row.dataset.transfer = transfer.transferId;
    row.dataset.status = transfer.status;
    row.dataset.direction = incoming ? "in" : "out";
    const items = lines.get(transfer.transferId);
    const id = cell(transfer.transferId.slice(0, 12) + "…", "mono");
    id.title = transfer.transferId;
    row.append(id, cell(incoming ? `from outlet ${transfer.from}` : `to outlet ${transfer.to}`),
               cell(items ? items.map((line) => `${line.sku} × ${line.quantity}`).join(", ") : `${transfer.units} units`),
               cell(transfer.status.replace(/-/g, " ")));
    const action = element("td");
    if (incoming && transfer.status === "in-transit") {
      const receive = element("button", "Receive", "small signs receive");
      receive.type = "button";
      receive.dataset.transfer = transfer.transferId;
      receive.setAttribute("aria-label", `Receive transfer ${transfer.transferId.slice(0, 12)} from outlet ${transfer.from}`);
      receive.disabled = !page.canSign || committing();
      receive.addEventListener("click", () => receiveTransfer(transfer));
      action.append(receive);
    }
    row.append(action);
    body.append(row);
  }
  result.append(head, body);
  $("transfers").replaceChildren(result);
}

function fillSkuList() {
  const skus = [...new Set(page.stock.items.filter((item) => item.outletId === page.outlet).map((item) => item.sku))].sort();
  $("sku-list").replaceChildren(...skus.map((sku) => { const option = element("option"); option.value = sku; return option; }));
}

// MARK: refreshing

async function refresh() {
  if (page.refreshing) { page.again = true; return; }
  page.refreshing = true;
  try {
    do {
      page.again = false;
      const [stock, transfers] = await Promise.all([
        getJSON(page.session, reportTarget("stock", { outlet: page.outlet })),
        getJSON(page.session, "/v1/network/transfers"),
      ]);
      page.stock = stock;
      page.transfers = transfers;
      renderItems();
      renderTransfers();
      fillSkuList();
      const heights = stock.covers.heads.map((head) => `o${head.outletId}@${head.height}`).join(" ");
      $("updated").textContent = `updated ${new Date().toLocaleTimeString()} · covers ${heights}`;
      $("stock-page").dataset.covers = heights;
    } while (page.again);
  } catch (error) {
    say(`The stock could not be read: ${error instanceof ApiRefusal ? `refused: ${error.message}` : error.message}`);
  } finally {
    page.refreshing = false;
  }
}

function live(text, on) {
  const badge = $("live");
  badge.textContent = text;
  badge.className = `live-badge ${on ? "on" : "off"}`;
}

async function follow() {
  for (;;) {
    try {
      await readBlockEvents(page.session.pair, {
        onOpen: () => { live("live: updated as blocks arrive", true); refresh(); },
        onBlock: () => { clearTimeout(page.debounce); page.debounce = setTimeout(refresh, 300); },
      });
      live("reconnecting…", false);
    } catch (error) {
      if (error instanceof ApiRefusal && error.status === 403) {
        live("not live (this key may not follow this node's blocks): updated every 30 s", false);
        return;
      }
      live(`reconnecting… (${error.message})`, false);
      if (!(error instanceof ApiRefusal)) connection(false, error.message);
    }
    await sleep(2000);
  }
}

// MARK: signing

function setBusy(busy) {
  for (const button of document.querySelectorAll("button.signs")) button.disabled = busy || !page.canSign;
}

/** Prepares, signs and submits `request`; the tables are fetched again whatever the answer. */
async function record(request, label) {
  setBusy(true);
  say("");
  try {
    await commit(page.session, request, label);
    return true;
  } catch (error) {
    if (!(error instanceof ApiRefusal)) say(error.message);
    return false;
  } finally {
    setBusy(false);
    await refresh();
  }
}

async function receiveDelivery(event, lines) {
  event.preventDefault();
  let request;
  try {
    request = { kind: "stock-receive", reference: $("receive-reference").value.trim(), lines: lines.read() };
    if (!request.reference) throw new Error("enter the delivery order's reference");
  } catch (error) { say(`The delivery is not complete: ${error.message}`); return; }
  const units = request.lines.reduce((sum, line) => sum + line.qty, 0);
  if (await record(request, `delivery ${request.reference} (${units} units)`)) {
    $("receive-reference").value = "";
    lines.reset();
  }
}

async function adjust(event) {
  event.preventDefault();
  const sku = $("adjust-sku").value.trim();
  const delta = Number($("adjust-delta").value);
  if (!sku) { say("The adjustment is not complete: enter a SKU"); return; }
  if (!Number.isInteger(delta) || delta === 0) { say("The adjustment is not complete: the change must be a whole number other than 0"); return; }
  const request = { kind: "stock-adjust", sku, delta, reason: $("adjust-reason").value, note: $("adjust-note").value.trim() };
  if (await record(request, `adjustment of ${sku} by ${delta > 0 ? "+" : ""}${delta} (${request.reason})`)) {
    $("adjust-delta").value = "";
    $("adjust-note").value = "";
  }
}

async function send(event, lines) {
  event.preventDefault();
  let request;
  try {
    const to = Number($("send-to").value);
    if (!Number.isInteger(to) || to < 1) throw new Error("choose the outlet it goes to");
    request = { kind: "transfer-out", to, lines: lines.read() };
  } catch (error) { say(`The transfer is not complete: ${error.message}`); return; }
  const units = request.lines.reduce((sum, line) => sum + line.qty, 0);
  if (await record(request, `transfer of ${units} units to outlet ${request.to}`)) lines.reset();
}

async function receiveTransfer(transfer) {
  await record({ kind: "transfer-in", transfer: transfer.transferId }, `receipt of transfer ${transfer.transferId.slice(0, 12)}… from outlet ${transfer.from}`);
}

// MARK: start

async function start() {
  const session = await startSession();
  page.session = session;
  const me = session.me;
  page.outlet = session.outlet ?? session.health.outletId;
  page.canSign = me.role === "operator" && me.outletId === session.health.outletId;
  $("stock-outlet").textContent = String(page.outlet);
  if (!page.canSign) {
    $("sign-note").hidden = false;
    $("sign-note").textContent = me.role === "operator"
      ? `This node is outlet ${session.health.outletId}'s: stock of outlet ${me.outletId} is recorded on its own node's back office. The figures here are read only.`
      : `Recording stock needs an operator (manager) key of outlet ${page.outlet}: this browser's key is ${me.role} “${me.principal}”. The figures here are read only.`;
  }
  const receiveLines = linesEditor($("receive-lines"), "receive");
  const sendLines = linesEditor($("send-lines"), "send");
  $("receive-add").addEventListener("click", () => receiveLines.add(true));
  $("send-add").addEventListener("click", () => sendLines.add(true));
  $("receive-form").addEventListener("submit", (event) => receiveDelivery(event, receiveLines));
  $("adjust-form").addEventListener("submit", adjust);
  $("send-form").addEventListener("submit", (event) => send(event, sendLines));
  $("stock-filter").addEventListener("input", renderItems);
  $("refresh").addEventListener("click", refresh);
  for (const form of document.querySelectorAll(".stock-form")) {
    for (const control of form.querySelectorAll("input, select, button")) control.disabled = !page.canSign;
  }

  const heads = await getJSON(session, "/v1/heads");
  const others = heads.map((head) => head.outletId).filter((outlet) => outlet !== page.outlet).sort((a, b) => a - b);
  $("send-to").replaceChildren(...others.map((outlet) => {
    const option = element("option", `outlet ${outlet}`);
    option.value = String(outlet);
    return option;
  }));
  $("stock-page").hidden = false;
  setBusy(false);
  // A transaction signed on an earlier visit and not yet answered: the same bytes, sent now.
  setBusy(true);
  await resumePending();
  setBusy(false);
  await refresh();
  setInterval(refresh, 30000);
  follow();
}

start().catch((error) => say(`The stock page could not start: ${error.message}`));
