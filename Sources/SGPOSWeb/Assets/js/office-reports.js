// The back office's reports page (docs/WEB.md, "Back office"): any report of the node's
// API (docs/REPORTS.md) for dates and an outlet, shown as its document's tables with a
// chart where one helps, and downloaded as the node's CSV (`format=csv`). Every figure
// is the API's; the page only lays them out.

import { ApiRefusal } from "./node-api.js";
import { barChart, columnChart, donutChart } from "./charts.js";
import { $, cents, downloadCSV, element, getJSON, reportTarget, say, singaporeToday, startSession, table } from "./office-session.js";

/** The parameters each report takes (the API refuses any other). */
const parameters = {
  sales: ["from", "to", "outlet"], gst: ["from", "to", "outlet"], exceptions: ["from", "to", "outlet"],
  promotions: ["from", "to", "outlet"], points: ["from", "to", "outlet"], stock: ["outlet"],
  movements: ["sku", "outlet", "from", "to"], loyalty: ["on", "within", "outlet"], x: ["outlet"], z: ["outlet", "number"],
  lot: ["gtin", "lot"],
};
const page = { session: null };

function chosen() {
  const name = $("report").value;
  const values = {};
  for (const field of parameters[name]) values[field] = $(field).value.trim();
  return { name, values };
}

function onReport() {
  const name = $("report").value;
  for (const box of document.querySelectorAll("[data-for]")) box.hidden = !parameters[name].includes(box.dataset.for);
}

// MARK: rendering a document

function label(key) {
  return key.replace(/([A-Z])/g, " $1").replace(/^./, (c) => c.toUpperCase());
}

function isScalar(value) {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

/** A document's fields: scalars in one table, each object as a two-column table, each list of records as a table. */
function renderDocument(document_) {
  const parts = [];
  const scalars = Object.entries(document_).filter(([key, value]) => isScalar(value) && key !== "text");
  if (scalars.length) parts.push(table(["", ""], scalars.map(([key, value]) => [label(key), value ?? "—"]), "report-summary"));
  if (typeof document_.text === "string") parts.push(element("pre", document_.text));
  // Objects (totals, boxes, counts) before lists; in a list's table the naming column first.
  const entries = Object.entries(document_).filter(([key, value]) => key !== "covers" && !isScalar(value))
    .sort(([, a], [, b]) => Number(Array.isArray(a)) - Number(Array.isArray(b)));
  const first = ["key", "kind", "rule", "outletId", "sku"];
  const rank = (column) => (first.includes(column) ? first.indexOf(column) : first.length);
  for (const [key, value] of entries) {
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      parts.push(element("h2", label(key)));
      if (isScalar(value[0])) { parts.push(element("p", value.join(", "))); continue; }
      const columns = Object.keys(value[0]).filter((column) => isScalar(value[0][column])).sort((a, b) => rank(a) - rank(b));
      const nested = Object.keys(value[0]).filter((column) => !isScalar(value[0][column]));
      parts.push(table(columns.map(label).concat(nested.map(label)), value.map((row) =>
        columns.map((column) => row[column] ?? "—").concat(nested.map((column) => JSON.stringify(row[column]))))));
    } else if (value && typeof value === "object") {
      parts.push(element("h2", label(key)));
      parts.push(table(["", ""], Object.entries(value).map(([name, figure]) => [label(name), isScalar(figure) ? figure ?? "—" : JSON.stringify(figure)])));
    }
  }
  if (document_.covers) {
    parts.push(element("p", `Covers ${document_.covers.heads.map((head) => `outlet ${head.outletId} to height ${head.height}`).join(", ")}.`, "covers"));
  }
  return parts;
}

/** A chart where one helps: sales by hour and tenders, GST by rate, exceptions by kind, promotions by rule. */
function chartsOf(document_) {
  switch (document_.report) {
    case "sales": {
      const hours = Array.from({ length: 24 }, (_, hour) => String(hour).padStart(2, "0"));
      const byHour = new Map(document_.byHour.map((row) => [row.key, row.salesTotal]));
      return [columnChart("Sales total per hour, S$", hours, hours.map((hour) => cents(byHour.get(hour) ?? "0.00")),
                          hours.map((hour) => `${hour}:00 · S$${byHour.get(hour) ?? "0.00"}`), 3),
              donutChart("Tender mix", document_.byTender.map((row) => ({ label: row.key, value: cents(row.amount), text: `S$${row.amount}` })))];
    }
    case "gst":
      return document_.byRate.length ? [barChart("Supplies and GST by rate, S$", document_.byRate.flatMap((rate) => [
        { label: `${rate.basisPoints / 100} % supplies`, value: cents(rate.supplies), text: `S$${rate.supplies}` },
        { label: `${rate.basisPoints / 100} % GST`, value: cents(rate.gst), text: `S$${rate.gst}` }]))] : [];
    case "exceptions": {
      const counts = Object.entries(document_.counts);
      return counts.length ? [barChart("Exceptions by kind", counts.map(([kind, count]) => ({ label: kind, value: count, text: String(count) })))] : [];
    }
    case "promotions":
      return document_.rules.length ? [barChart("Discount given per rule, S$", document_.rules.map((rule) =>
        ({ label: rule.rule, value: cents(rule.discount), text: `S$${rule.discount} · ${rule.sales} sales` })))] : [];
    default:
      return [];
  }
}

async function show(event) {
  event.preventDefault();
  const { name, values } = chosen();
  try {
    const document_ = await getJSON(page.session, reportTarget(name, values));
    const charts = chartsOf(document_).flatMap((chart) => [element("h2", chart.getAttribute("aria-label")), chart]);
    $("report-output").replaceChildren(...charts, ...renderDocument(document_));
    $("report-output").dataset.report = name;
    say("");
  } catch (error) {
    $("report-output").replaceChildren();
    say(error instanceof ApiRefusal ? `Refused: ${error.message}` : error.message);
  }
}

async function download() {
  const { name, values } = chosen();
  try {
    await downloadCSV(page.session, reportTarget(name, { ...values, format: "csv" }));
    say("");
  } catch (error) {
    say(`Not downloaded: ${error.message}`);
  }
}

async function start() {
  page.session = await startSession();
  const today = singaporeToday();
  $("from").value = today;
  $("to").value = today;
  $("on").value = today;
  if (page.session.outlet !== null) $("outlet").value = String(page.session.outlet);
  $("report").addEventListener("change", onReport);
  $("report-form").addEventListener("submit", show);
  $("download").addEventListener("click", download);
  onReport();
  $("reports").hidden = false;
}

start().catch((error) => say(`The reports could not start: ${error.message}`));
