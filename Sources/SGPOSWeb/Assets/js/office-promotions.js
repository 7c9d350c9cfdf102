// The back office's promotions page (docs/WEB.md, "Back office", "Promotions"): the rules
// deployed on this node's outlet (`GET /v1/rules`), a rule pasted or loaded from a file
// checked by the node's checker (`POST /v1/rules/check`: the verdict, or the error's
// code, line and column with that line pointed at), and — for an admin, when the check
// says the rule is deployable — its deployment, prepared by the node (`deploy-rule`),
// signed here and submitted (office-commit.js). Anyone else sees why Deploy is off.

import { ApiRefusal, api } from "./node-api.js";
import { commit, resumePending } from "./office-commit.js";
import { $, element, reach, say, startSession } from "./office-session.js";

const sourceBytesMax = 64 * 1024;
const page = { session: null, checked: null, checking: false, deploying: false };

// MARK: deployed rules

async function loadRules() {
  try {
    const answer = await reach(() => api.rules(page.session.pair));
    renderRules(answer.rules);
    $("rules-updated").textContent = `updated ${new Date().toLocaleTimeString()} · ${answer.rules.length} rule(s)`;
  } catch (error) {
    say(`The deployed rules could not be read: ${error.message}`);
  }
}

function renderRules(rules) {
  if (rules.length === 0) {
    $("rules").replaceChildren(element("p", "No rule is deployed on this outlet's chain."));
    return;
  }
  const result = element("table", "", "figures");
  result.id = "rules-table";
  const head = element("thead");
  const headRow = element("tr");
  for (const name of ["Rule", "Version", "Priority", "Active from", "Static cost", "Source"]) {
    const th = element("th", name, ["Version", "Priority", "Static cost"].includes(name) ? "n" : "");
    th.scope = "col";
    headRow.append(th);
  }
  head.append(headRow);
  const body = element("tbody");
  const sorted = [...rules].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const rule of sorted) {
    const row = element("tr");
    row.dataset.rule = rule.id;
    row.dataset.version = String(rule.version);
    const source = element("td");
    const details = element("details");
    const lines = rule.source.replace(/\n$/, "").split("\n").length;
    details.append(element("summary", `source (${lines} line${lines === 1 ? "" : "s"}, hash ${String(rule.sourceHash).slice(0, 12)}…)`),
                   element("pre", rule.source, "rule-source"));
    source.append(details);
    row.append(element("td", rule.id, "mono"), element("td", rule.version, "n"), element("td", rule.priority, "n"),
               element("td", rule.activeFrom), element("td", rule.staticCost, "n"), source);
    body.append(row);
  }
  result.append(head, body);
  $("rules").replaceChildren(result);
}

// MARK: checking

function request() {
  const body = { source: $("rule-source").value };
  const activeFrom = $("active-from").value.trim();
  if (activeFrom) body.activeFrom = activeFrom;
  return body;
}

function sameRequest(a, b) {
  return a.source === b.source && (a.activeFrom || "") === (b.activeFrom || "");
}

/** Deploy is enabled only for an admin, for the text last checked, when the check said deployable. */
function updateDeploy() {
  const me = page.session.me;
  const checked = page.checked;
  let reason;
  if (me.role !== "admin") {
    reason = `Only an admin deploys rules: this browser's key is ${me.role} “${me.principal}”. You may check a rule; an admin deploys it.`;
  } else if (page.deploying) {
    reason = "Deploying…";
  } else if (!checked) {
    reason = "Check the rule first: Deploy is enabled once the checker says it is deployable.";
  } else if (!sameRequest(checked.request, request())) {
    reason = "The rule changed since it was checked: check it again.";
  } else if (!checked.verdict.ok) {
    reason = "The rule does not compile: fix the error shown and check it again.";
  } else if (!checked.verdict.deployable) {
    reason = `Not deployable: ${checked.verdict.reason || "the checker says so"}.`;
  } else {
    reason = null;
  }
  $("deploy-rule").disabled = reason !== null;
  $("deploy-reason").textContent = reason ?? `Ready to deploy ${checked.verdict.id} version ${checked.verdict.version}: Deploy signs it with this browser's admin key.`;
  $("deploy-reason").dataset.enabled = String(reason === null);
}

function showListing(source, line, column, message) {
  const lines = source.split("\n");
  const first = Math.max(1, line - 3);
  const last = Math.min(lines.length, line + 3);
  const width = String(last).length;
  const pre = element("pre", "", "listing");
  pre.setAttribute("aria-label", `Source lines ${first} to ${last}, the error at line ${line}, column ${column}`);
  for (let number = first; number <= last; number++) {
    const text = `${String(number).padStart(width)} │ ${lines[number - 1] ?? ""}`;
    const span = element("span", text, number === line ? "error-line" : "");
    span.id = `listing-line-${number}`;
    pre.append(span, "\n");
    if (number === line) {
      pre.append(element("span", `${" ".repeat(width)} │ ${" ".repeat(Math.max(0, column - 1))}^ ${message}`, "caret"), "\n");
    }
  }
  const go = element("button", `Select line ${line} in the editor`, "small");
  go.type = "button";
  go.id = "go-to-error";
  go.addEventListener("click", () => selectLine(line));
  $("source-listing").replaceChildren(pre, go);
}

/** Selects line `line` (1-based) in the textarea and scrolls it into view. */
function selectLine(line) {
  const box = $("rule-source");
  const lines = box.value.split("\n");
  const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
  const end = start + (lines[line - 1] ?? "").length;
  box.focus();
  box.setSelectionRange(start, end);
  const lineHeight = box.scrollHeight / Math.max(lines.length, 1);
  box.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

function showVerdict(body, verdict) {
  const result = $("check-result");
  result.hidden = false;
  result.dataset.verdict = verdict.ok ? "ok" : "error";
  for (const name of ["line", "column", "code", "deployable", "staticCost", "rule", "version"]) delete result.dataset[name];
  if (verdict.ok) {
    const deployed = verdict.deployed ? `version ${verdict.deployed.version} is deployed` : "not deployed yet";
    result.className = "check-result ok";
    result.replaceChildren(
      element("p", `OK: rule ${verdict.id} version ${verdict.version}, priority ${verdict.priority}, static cost ${verdict.staticCost} ticks (the limit is 200,000).`, "verdict-line"),
      element("p", `On this outlet's chain: ${deployed}. ${verdict.deployable ? "Deployable." : `Not deployable: ${verdict.reason || "the checker says so"}.`}`));
    Object.assign(result.dataset, { deployable: String(verdict.deployable), staticCost: String(verdict.staticCost), rule: verdict.id, version: String(verdict.version) });
    $("source-listing").replaceChildren();
  } else {
    const error = verdict.error;
    result.className = "check-result error";
    result.replaceChildren(element("p", `Error ${error.code} at line ${error.line}, column ${error.column}: ${error.message}`, "verdict-line"));
    Object.assign(result.dataset, { line: String(error.line), column: String(error.column), code: String(error.code) });
    showListing(body.source, error.line, error.column, error.message);
  }
}

async function check(event) {
  if (event) event.preventDefault();
  const body = request();
  if (!body.source.trim()) { say("Paste a rule or load a file first."); return; }
  if (new TextEncoder().encode(body.source).length > sourceBytesMax) { say("A rule's source is at most 64 KiB."); return; }
  page.checking = true;
  $("check-rule").disabled = true;
  say("");
  try {
    const verdict = await reach(() => api.checkRule(page.session.pair, body));
    page.checked = { request: body, verdict };
    showVerdict(body, verdict);
  } catch (error) {
    page.checked = null;
    $("check-result").hidden = true;
    say(error instanceof ApiRefusal ? `The check was refused: ${error.message}` : error.message);
  } finally {
    page.checking = false;
    $("check-rule").disabled = false;
    updateDeploy();
  }
}

// MARK: deploying

async function deploy() {
  const checked = page.checked;
  if (!checked || !checked.verdict.ok || !checked.verdict.deployable || page.session.me.role !== "admin") return;
  page.deploying = true;
  updateDeploy();
  say("");
  try {
    await commit(page.session, { kind: "deploy-rule", ...checked.request }, `deployment of rule ${checked.verdict.id} version ${checked.verdict.version}`);
  } catch (error) {
    if (!(error instanceof ApiRefusal)) say(error.message);
  } finally {
    page.deploying = false;
    await loadRules();
    // Checked again: the verdict now names the deployed version (and so is no longer deployable).
    await check();
  }
}

async function loadFile() {
  const file = $("rule-file").files[0];
  if (!file) return;
  if (file.size > sourceBytesMax) { say(`${file.name} is over 64 KiB: not a rule.`); return; }
  $("rule-source").value = await file.text();
  say("");
  updateDeploy();
  $("rule-source").focus();
}

async function start() {
  page.session = await startSession();
  $("rules-outlet").textContent = `· outlet ${page.session.health.outletId}`;
  $("rule-form").addEventListener("submit", check);
  $("deploy-rule").addEventListener("click", deploy);
  $("rule-source").addEventListener("input", updateDeploy);
  $("active-from").addEventListener("input", updateDeploy);
  $("rule-file").addEventListener("change", () => loadFile().catch((error) => say(`The file could not be read: ${error.message}`)));
  $("rules-refresh").addEventListener("click", loadRules);
  updateDeploy();
  $("promotions-page").hidden = false;
  // A transaction signed on an earlier visit and not yet answered: the same bytes, sent now.
  await resumePending();
  await loadRules();
}

start().catch((error) => say(`The promotions page could not start: ${error.message}`));
