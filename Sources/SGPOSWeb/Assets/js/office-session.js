// What the back office pages share (docs/WEB.md, "Back office"): the browser's own key
// ("office", apart from a till's), its pairing as a manager, who the node says it is and
// so which reports it may read (an operator: its outlet's; an auditor or admin: every
// outlet's), the connection badge, report calls and the CSV download.

import { keyPair } from "./keys.js";
import { api, ApiRefusal } from "./node-api.js";
import { signedFetch } from "./signed-fetch.js";
import { registerCommand, showPairing, whoamiOnceRegistered } from "./pairing.js";

export { $, sleep, say, connection, reach } from "./page.js";
import { $, sleep, connection, reach } from "./page.js";

/** The office session: `{ pair, health, me, outlet }`; `outlet` is null for the whole network (auditors, admins). */
export async function startSession() {
  const pair = await keyPair("office");
  const health = await reach(() => api.health());
  const me = await whoamiOnceRegistered(pair, reach, () => {
    showPairing(pair, registerCommand(pair, { keyFile: "<admin key file>", role: "operator", principal: "<manager name>" }));
    $("pairing").hidden = false;
  });
  $("pairing").hidden = true;
  if (!["operator", "auditor", "admin"].includes(me.role)) {
    throw new Error(`This browser's key is registered as ${me.role} "${me.principal}": the back office needs an operator, auditor or admin key.`);
  }
  $("who").textContent = `· ${me.principal} (${me.role}${me.role === "operator" ? ` of outlet ${me.outletId}` : ""})`;
  return { pair, health, me, outlet: me.role === "operator" ? me.outletId : null };
}

/**
 * `GET target` signed by the session's key, as JSON (refusals throw ApiRefusal). A 503 (the
 * node's report queue is full) is asked again up to 3 times, 0.5–1.5 s apart.
 */
export async function getJSON(session, target) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await reach(async () => {
        const response = await signedFetch(session.pair, "GET", target);
        let body = null;
        try { body = await response.json(); } catch { body = null; }
        if (response.ok) return body;
        if (response.status >= 500 && response.status !== 503) throw new Error(`the node answered ${response.status}`);
        throw new ApiRefusal(response.status, body);
      });
    } catch (error) {
      if (!(error instanceof ApiRefusal) || error.status !== 503 || attempt > 3) throw error;
      await sleep(500 + Math.random() * 1000);
    }
  }
}

/** The query of a report call: the parameters given (empty ones left out). */
export function reportTarget(name, parameters) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  const text = query.toString();
  return `/v1/reports/${name}${text ? `?${text}` : ""}`;
}

/**
 * Fetches `target` (a report with `format=csv`) signed, and saves it as the file the node
 * names in Content-Disposition. Returns `{ filename, text }`; `#csv-status` says what was saved.
 */
export async function downloadCSV(session, target) {
  const response = await signedFetch(session.pair, "GET", target);
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { problem = null; }
    throw new ApiRefusal(response.status, problem);
  }
  const text = await response.text();
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename="([^"]+)"/.exec(disposition);
  const filename = match ? match[1] : "report.csv";
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  const status = $("csv-status");
  if (status) {
    const lines = text.split("\r\n").filter(Boolean);
    status.textContent = `Saved ${filename}: ${lines.length - 1} row(s); columns ${lines[0] || ""}`;
    status.dataset.filename = filename;
    status.dataset.header = lines[0] || "";
  }
  return { filename, text };
}

/** Today's date in Singapore (UTC+8), YYYY-MM-DD: the business date the open day counts on. */
export function singaporeToday() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** Money text as the API writes it ("12.30", "-0.05") in integer cents (0 if unreadable). */
export function cents(text) {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(text));
  if (!match) return 0;
  const value = Number.parseInt(match[2], 10) * 100 + Number.parseInt((match[3] || "0").padEnd(2, "0"), 10);
  return match[1] ? -value : value;
}

/** An element with text (and a class). */
export function element(tag, text = "", className = "") {
  const node = document.createElement(tag);
  if (text !== "") node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

/** A table of `rows` (arrays of cells) under `headers`; numeric-looking cells get class "n". */
export function table(headers, rows, id = "") {
  const result = element("table", "", "figures");
  if (id) result.id = id;
  const head = element("thead");
  const headRow = element("tr");
  for (const name of headers) headRow.append(element("th", name));
  head.append(headRow);
  const body = element("tbody");
  for (const row of rows) {
    const line = element("tr");
    for (const cell of row) {
      const text = cell === null || cell === undefined ? "" : String(cell);
      line.append(element("td", text, /^-?\d+(\.\d+)?$/.test(text) ? "n" : ""));
    }
    body.append(line);
  }
  result.append(head, body);
  return result;
}
