// The receipt checker page: the genesis pin (trust on first use, or a file the user
// loads), the payload form, and the verdict with every check named (docs/WEB.md).

import { parsePayload, checkReceipt } from "./receipt-check.js";

const $ = (id) => document.getElementById(id);
const pinKey = (chainId) => `sgpos-genesis-pin:${chainId}`;

/** The parts of a genesis document the checker relies on. */
function pinOf(document) {
  if (!document || typeof document.chainId !== "string" || !Array.isArray(document.outlets)) {
    throw new Error("not an SGPOS genesis document");
  }
  return {
    chainId: document.chainId,
    outlets: document.outlets.map((o) => ({ id: Number(o.id), name: String(o.name), nodeKey: String(o.nodeKey) })),
  };
}

function samePin(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

let pinned = null;

async function loadGenesis() {
  const status = $("genesis-status");
  try {
    const response = await fetch("/genesis.json", { cache: "no-store" });
    if (!response.ok) throw new Error(`the node answered ${response.status}`);
    const served = pinOf(await response.json());
    const stored = localStorage.getItem(pinKey(served.chainId));
    if (stored === null) {
      localStorage.setItem(pinKey(served.chainId), JSON.stringify(served));
      pinned = served;
      status.textContent = `Pinned network ${served.chainId} (${served.outlets.length} outlets) on first use.`;
    } else {
      pinned = JSON.parse(stored);
      status.textContent = samePin(pinned, served)
        ? `Network ${pinned.chainId}, pinned earlier in this browser; the node serves the same genesis.`
        : `WARNING: this node now serves another genesis for ${served.chainId} than the one pinned here; the pinned one is used.`;
    }
  } catch (error) {
    status.textContent = `No genesis pinned: ${error.message}. Load the genesis file to check receipts.`;
  }
}

async function onGenesisFile(event) {
  const file = event.target.files[0];
  if (!file) return;
  try {
    const pin = pinOf(JSON.parse(await file.text()));
    localStorage.setItem(pinKey(pin.chainId), JSON.stringify(pin));
    pinned = pin;
    $("genesis-status").textContent = `Pinned network ${pin.chainId} from ${file.name}.`;
  } catch (error) {
    $("genesis-status").textContent = `${file.name}: ${error.message}`;
  }
}

function show(genuine, title, checks) {
  const verdict = $("verdict");
  verdict.hidden = false;
  verdict.className = genuine ? "verdict genuine" : "verdict refused";
  verdict.textContent = title;
  const list = $("checks");
  list.replaceChildren(...checks.map((c) => {
    const item = document.createElement("li");
    item.className = c.ok ? "ok" : "failed";
    item.textContent = `${c.ok ? "✓" : "✗"} ${c.name}${c.detail ? ` — ${c.detail}` : ""}`;
    return item;
  }));
}

async function onSubmit(event) {
  event.preventDefault();
  let payload;
  try {
    payload = parsePayload($("payload").value);
  } catch (error) {
    show(false, `NOT GENUINE: ${error.message}`, []);
    return;
  }
  const genesis = localStorage.getItem(pinKey(payload.chainId));
  if (genesis === null) {
    show(false, `NOT CHECKED: no genesis is pinned for network ${payload.chainId}`, []);
    return;
  }
  let proof;
  try {
    const response = await fetch(`/v1/transactions/${payload.transactionId}/proof`, { cache: "no-store" });
    if (response.status === 404) {
      show(false, "NOT GENUINE: this outlet's ledger has no such transaction", []);
      return;
    }
    if (!response.ok) throw new Error(`the node answered ${response.status}`);
    proof = await response.json();
  } catch (error) {
    show(false, `NOT CHECKED: the proof could not be fetched (${error.message})`, []);
    return;
  }
  const result = await checkReceipt(payload, proof, JSON.parse(genesis));
  const when = result.facts.blockTime ? new Date(result.facts.blockTime).toLocaleString("en-SG", { timeZone: "Asia/Singapore" }) : "";
  show(result.genuine,
       result.genuine ? `GENUINE: ${result.facts.outletName}, block ${result.facts.height}, ${when}`
                      : `NOT GENUINE: ${result.checks.filter((c) => !c.ok).map((c) => c.name).join("; ")} failed`,
       result.checks);
}

$("check-form").addEventListener("submit", onSubmit);
$("genesis-file").addEventListener("change", onGenesisFile);
$("payload").addEventListener("keydown", (event) => {
  // A scanner ends the code with Enter: check at once.
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("check-form").requestSubmit();
  }
});
loadGenesis();
