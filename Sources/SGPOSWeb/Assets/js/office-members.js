// The back office's member look-up (docs/WEB.md, "Back office", "Members"): a loyalty
// member's tier, points, lifetime spend and points lots with their expiry (`GET
// /v1/members/{id}`, the ledger's), and the member's personal data from this outlet's
// member directory (`GET /v1/members/{id}/profile`) exactly as the node answers this key —
// masked for a manager (docs/SECURITY.md, "Personal data off the chain"). The page never
// stores, caches or unmasks personal data: it shows the node's answer and forgets it on
// the next look-up.

import { ApiRefusal, api } from "./node-api.js";
import { $, element, reach, say, startSession, table } from "./office-session.js";

const page = { session: null, lookup: 0 };

/** The profile fields in the order shown, with their labels; any other field the node sends is shown after them. */
const profileFields = [
  ["memberId", "Member id"], ["name", "Name"], ["phone", "Phone"], ["email", "E-mail"], ["purpose", "Purpose of collection"],
  ["consentAtMs", "Consent given"], ["updatedAtMs", "Last updated"], ["recordedBy", "Recorded by"],
];

function singaporeTime(ms) {
  if (typeof ms !== "number") return String(ms);
  return `${new Intl.DateTimeFormat("en-SG", { timeZone: "Asia/Singapore", dateStyle: "medium", timeStyle: "medium" }).format(new Date(ms))} SGT`;
}

function facts(list, entries, prefix) {
  list.replaceChildren(...entries.flatMap(([key, name, value]) => {
    const term = element("dt", name);
    const definition = element("dd", value === undefined || value === null || value === "" ? "—" : value);
    definition.id = `${prefix}-${key}`;
    return [term, definition];
  }));
}

function showAccount(member) {
  facts($("member-account"), [
    ["id", "Member id", member.memberId], ["tier", "Tier", member.tier], ["points", "Points", String(member.points)],
    ["lifetime-spend", "Lifetime spend", `S$${member.lifetimeSpend}`],
  ], "member");
  $("member-points").dataset.points = String(member.points);
  const lots = [...(member.lots || [])].sort((a, b) => (a.expiresOn < b.expiresOn ? -1 : a.expiresOn > b.expiresOn ? 1 : 0));
  $("member-lots").replaceChildren(lots.length
    ? table(["Expires on", "Points"], lots.map((lot) => [lot.expiresOn, lot.points]), "lots-table")
    : element("p", "No points held."));
}

function showProfile(profile) {
  const known = new Set(profileFields.map(([key]) => key));
  const entries = profileFields.filter(([key]) => key in profile || ["name", "phone", "email"].includes(key)).map(([key, name]) => {
    const value = profile[key];
    return [key, name, key.endsWith("AtMs") && value !== undefined ? singaporeTime(value) : value];
  });
  for (const [key, value] of Object.entries(profile)) {
    if (!known.has(key)) entries.push([key, key, typeof value === "object" ? JSON.stringify(value) : String(value)]);
  }
  facts($("member-profile"), entries, "profile");
  $("profile-note").textContent = `Exactly as the node answers this key (${page.session.me.role}): the node decides what it may see; `
    + "this page adds nothing, unmasks nothing and keeps nothing.";
}

function profileUnavailable(text) {
  $("member-profile").replaceChildren();
  $("profile-note").textContent = text;
}

async function lookUp(event) {
  event.preventDefault();
  const id = $("member-id").value.trim();
  const ticket = ++page.lookup;
  say("");
  $("member-result").hidden = true;
  $("member-result").removeAttribute("data-member");
  $("member-account").replaceChildren();
  $("member-lots").replaceChildren();
  profileUnavailable("");
  if (!/^[A-Za-z0-9._-]{1,32}$/.test(id)) {
    $("member-status").textContent = "A member id is 1 to 32 letters, digits, “.”, “_” or “-”.";
    return;
  }
  $("member-status").textContent = `Looking up ${id}…`;
  let member;
  try {
    member = await reach(() => api.member(page.session.pair, id));
  } catch (error) {
    if (ticket !== page.lookup) return;
    if (error instanceof ApiRefusal && error.status === 404) {
      $("member-status").textContent = `No such member: ${id} is not enrolled at outlet ${page.session.health.outletId}.`;
      $("member-status").dataset.state = "not-found";
      return;
    }
    $("member-status").textContent = error instanceof ApiRefusal ? `Refused: ${error.message}` : error.message;
    $("member-status").dataset.state = "refused";
    return;
  }
  if (ticket !== page.lookup) return;
  showAccount(member);
  try {
    const profile = await reach(() => api.memberProfile(page.session.pair, id));
    if (ticket !== page.lookup) return;
    showProfile(profile);
  } catch (error) {
    if (ticket !== page.lookup) return;
    if (error instanceof ApiRefusal && error.status === 404) profileUnavailable("No personal data is kept for this member at this outlet (never given, or erased).");
    else if (error instanceof ApiRefusal) profileUnavailable(`The personal data is not shown to this key: ${error.message}`);
    else profileUnavailable(error.message);
  }
  $("member-status").textContent = `Member ${member.memberId}: ${member.tier}, ${member.points} points.`;
  $("member-status").dataset.state = "found";
  $("member-result").dataset.member = member.memberId;
  $("member-result").hidden = false;
}

async function start() {
  page.session = await startSession();
  $("member-form").addEventListener("submit", lookUp);
  $("members-page").hidden = false;
  $("member-id").focus();
}

start().catch((error) => say(`The members page could not start: ${error.message}`));
