// The till's member and points helpers (docs/WEB.md, "Till", "Members and points"):
// what the member line says, the points to redeem as typed, and money in cents.

/** A member number as the API takes it (docs/API.md, "Member ids"); the node checks the rest. */
export const memberIdPattern = /^[A-Za-z0-9._-]{1,32}$/;

/** Cents of a decimal amount "12.34" (or "-0.50"). */
export function cents(text) {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(String(text));
  if (!match) return 0;
  const value = Number(match[2]) * 100 + Number(match[3]);
  return match[1] ? -value : value;
}

/** "12.34" for 1234 cents. */
export function money(amount) {
  const sign = amount < 0 ? "-" : "";
  const magnitude = Math.abs(amount);
  return `${sign}${Math.floor(magnitude / 100)}.${String(magnitude % 100).padStart(2, "0")}`;
}

export function points(n) {
  return Number(n).toLocaleString("en-SG");
}

/** The lot that expires first (lots are { expiresOn: "YYYY-MM-DD", points }), or null. */
export function soonestLot(lots) {
  const live = (lots || []).filter((lot) => lot.points > 0);
  if (live.length === 0) return null;
  return live.reduce((soonest, lot) => (lot.expiresOn < soonest.expiresOn ? lot : soonest));
}

/** What the till says about a member the node knows: tier, balance, the soonest expiry. */
export function describeMember(member) {
  const lot = soonestLot(member.lots);
  const tier = member.tier ? member.tier.charAt(0).toUpperCase() + member.tier.slice(1) : "Member";
  let text = `${member.memberId}: ${tier} tier · ${points(member.points)} points`;
  if (lot) text += ` · ${points(lot.points)} expire on ${lot.expiresOn}`;
  return text;
}

/** The points typed in the redeem box: { points } (0 when empty) or { error }. */
export function parseRedeem(text) {
  const typed = text.trim().replace(/[,\s]/g, "");
  if (typed === "") return { points: 0 };
  if (!/^\d{1,15}$/.test(typed)) return { error: "points to redeem must be a whole number" };
  return { points: Number(typed) };
}
