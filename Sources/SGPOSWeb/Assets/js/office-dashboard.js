// The back office's live dashboard (docs/WEB.md, "Back office"): today's figures from the
// node's reports (sales per outlet and hour, tender mix, top items; exceptions), the
// network (peers, every chain's head, checkpoints). Every figure is the report API's
// (SGPOSReports, one home): the page only lays them out. It follows `GET /v1/events` and
// fetches the reports again 300 ms after a block arrives anywhere, and every 30 s.

import { ApiRefusal } from "./node-api.js";
import { readBlockEvents } from "./event-stream.js";
import { barChart, columnChart, donutChart } from "./charts.js";
import { $, cents, connection, downloadCSV, element, getJSON, reportTarget, say, sleep, startSession, table } from "./office-session.js";

const board = { session: null, refreshing: false, again: false, debounce: null, live: false };

function live(text, on) {
  const badge = $("live");
  badge.textContent = text;
  badge.className = `live-badge ${on ? "on" : "off"}`;
}

// MARK: rendering

function headline(totals) {
  const entries = [["Sales", totals.salesCount, "sales-count"], ["Sales total S$", totals.salesTotal, "sales-total"],
                   ["Net sales S$", totals.netSales, "net-sales"], ["Refunds", `${totals.refundsCount} · S$${totals.refundsTotal}`, "refunds"],
                   ["Voids", `${totals.voidsCount} · S$${totals.voidsTotal}`, "voids"], ["Average basket S$", totals.averageBasket, "average-basket"]];
  $("headline").replaceChildren(...entries.flatMap(([name, value, id]) => {
    const term = element("dt", name);
    const definition = element("dd", value);
    definition.id = id;
    return [term, definition];
  }));
}

function byOutlet(sales) {
  const rows = sales.byOutlet;
  $("by-outlet-chart").replaceChildren(barChart("Sales total per outlet, S$ incl. GST",
    rows.map((row) => ({ label: `outlet ${row.key}`, value: cents(row.salesTotal), text: `S$${row.salesTotal} · ${row.salesCount} sales` }))));
  const result = table(["Outlet", "Sales", "Sales total", "Refunds", "Voids", "Net sales"],
    rows.map((row) => [row.key, row.salesCount, row.salesTotal, row.refundsTotal, row.voidsTotal, row.netSales]), "outlets-table");
  result.querySelectorAll("tbody tr").forEach((line, index) => {
    line.id = `outlet-${rows[index].key}`;
    line.children[1].id = `outlet-${rows[index].key}-count`;
  });
  $("by-outlet").replaceChildren(rows.length ? result : element("p", "No sale yet today."));
}

function byHour(sales) {
  const hours = Array.from({ length: 24 }, (_, hour) => String(hour).padStart(2, "0"));
  const figures = new Map(sales.byHour.map((row) => [row.key, row]));
  $("by-hour-chart").replaceChildren(columnChart("Sales total per hour, S$ incl. GST", hours,
    hours.map((hour) => cents(figures.get(hour)?.salesTotal ?? "0.00")),
    hours.map((hour) => `${hour}:00 · S$${figures.get(hour)?.salesTotal ?? "0.00"} · ${figures.get(hour)?.salesCount ?? 0} sales`), 3));
}

function tenders(sales) {
  const rows = sales.byTender.map((row) => ({ label: row.key, value: cents(row.amount), text: `S$${row.amount}` }));
  $("tenders-chart").replaceChildren(donutChart("Tender mix: net amount per tender", rows));
  $("tenders").replaceChildren(table(["Tender", "Net S$"], sales.byTender.map((row) => [row.key, row.amount]), "tenders-table"));
}

function topItems(sales) {
  const ranked = [...sales.bySku].sort((a, b) => cents(b.amount) - cents(a.amount) || (a.key < b.key ? -1 : 1)).slice(0, 10);
  $("top-items").replaceChildren(ranked.length
    ? barChart("Top items by amount, S$ incl. GST", ranked.map((row) => ({ label: row.key, value: cents(row.amount), text: `S$${row.amount} · qty ${row.quantity}` })))
    : element("p", "No item sold yet today."));
}

function exceptions(report) {
  const counts = Object.entries(report.counts).sort(([a], [b]) => (a < b ? -1 : 1));
  $("exception-counts").textContent = counts.length ? counts.map(([kind, count]) => `${kind} ${count}`).join(" · ") : "None today.";
  const latest = report.items.slice(-10).reverse();
  $("exceptions").replaceChildren(latest.length
    ? table(["Time", "Kind", "Outlet", "Till", "S$", "Detail"], latest.map((item) => [item.time.slice(11), item.kind, item.outletId, item.till, item.amount ?? "", item.detail]), "exceptions-table")
    : element("span"));
}

function network(health, heads, checkpoints) {
  $("peers").textContent = `This node (outlet ${health.outletId}) has ${health.peersConnected} peer(s) connected${health.isolated ? ", isolated (fault drill)" : ""}.`;
  $("heads").replaceChildren(table(["Outlet chain", "Height", "Newest block"],
    heads.map((head) => [head.outletId, head.height, head.blockId.slice(0, 16)]), "heads-table"));
  if (!checkpoints) {
    $("checkpoints").textContent = "Checkpoints: none on this network (a checkpoint chain needs 4 outlets or more).";
    return;
  }
  const covered = Object.entries(checkpoints.covered || {}).map(([outlet, height]) => `outlet ${outlet} to ${height}`).join(", ");
  const finality = checkpoints.finalityP50Ms === undefined ? "" : `; finality p50 ${checkpoints.finalityP50Ms} ms`;
  $("checkpoints").textContent = `Checkpoint ${checkpoints.checkpointHeight} is final${covered ? ` (covers ${covered})` : ""}; `
    + `deciding ${checkpoints.working}${finality}${checkpoints.networkDivergence ? `; DIVERGENCE: ${checkpoints.networkDivergence}` : ""}.`;
}

// MARK: refreshing

async function optional(call) {
  try { return await call(); } catch (error) {
    if (error instanceof ApiRefusal && (error.status === 404 || error.status === 403)) return null;
    throw error;
  }
}

async function refresh() {
  if (board.refreshing) { board.again = true; return; }
  board.refreshing = true;
  try {
    do {
      board.again = false;
      const session = board.session;
      // No dates: the node's today in Singapore (the open business day).
      const scope = { outlet: session.outlet };
      const [sales, exceptionReport, health, heads, checkpoints] = await Promise.all([
        getJSON(session, reportTarget("sales", scope)),
        getJSON(session, reportTarget("exceptions", scope)),
        getJSON(session, "/v1/health"),
        getJSON(session, "/v1/heads"),
        optional(() => getJSON(session, "/v1/checkpoints/status")),
      ]);
      $("business-date").textContent = sales.from;
      headline(sales.totals);
      byOutlet(sales);
      byHour(sales);
      tenders(sales);
      topItems(sales);
      exceptions(exceptionReport);
      network(health, heads, checkpoints);
      const heights = sales.covers.heads.map((head) => `o${head.outletId}@${head.height}`).join(" ");
      $("updated").textContent = `updated ${new Date().toLocaleTimeString()} · covers ${heights}`;
      $("dashboard").dataset.covers = heights;
      say("");
    } while (board.again);
  } catch (error) {
    say(`The figures could not be read: ${error.message}`);
  } finally {
    board.refreshing = false;
  }
}

/** A block arrived: the reports are fetched again 300 ms after the last one of a burst. */
function blockArrived() {
  clearTimeout(board.debounce);
  board.debounce = setTimeout(refresh, 300);
}

async function follow() {
  for (;;) {
    try {
      await readBlockEvents(board.session.pair, {
        onOpen: () => { board.live = true; live("live: updated as blocks arrive", true); refresh(); },
        onBlock: blockArrived,
      });
      live("reconnecting…", false);
    } catch (error) {
      board.live = false;
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

async function start() {
  board.session = await startSession();
  $("scope").textContent = board.session.outlet === null ? "· every outlet" : `· outlet ${board.session.outlet}`;
  $("dashboard").hidden = false;
  $("download-today").addEventListener("click", async () => {
    try {
      await downloadCSV(board.session, reportTarget("sales", { outlet: board.session.outlet, format: "csv" }));
    } catch (error) {
      say(`Not downloaded: ${error.message}`);
    }
  });
  await refresh();
  setInterval(refresh, 30000);
  follow();
}

start().catch((error) => say(`The back office could not start: ${error.message}`));
