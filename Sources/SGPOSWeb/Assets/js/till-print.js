// Printing a receipt on the node's receipt printer (docs/WEB.md, "Till", "Printing"):
// `POST /v1/transactions/{id}/print` queues it at the node, which renders ESC/POS and
// drains its queue to the printer in the background. One attempt per press: a receipt is
// never queued twice behind the cashier's back. "Print every receipt" is this browser's
// setting, kept in localStorage.

import { api, ApiRefusal } from "./node-api.js";
import { connection } from "./page.js";

const settingKey = "sgpos.till.printEveryReceipt";

/** Whether this browser prints every receipt as soon as it is shown. */
export function printsEveryReceipt() {
  try { return localStorage.getItem(settingKey) === "yes"; } catch { return false; }
}

export function setPrintsEveryReceipt(on) {
  try {
    if (on) localStorage.setItem(settingKey, "yes"); else localStorage.removeItem(settingKey);
  } catch {
    // Storage refused (a private window's quota): the box still works for this page.
  }
}

/**
 * Queues transaction `id`'s receipt on the node's printer, saying how it went in `status`
 * (a live region). Resolves to true when the node queued it.
 */
export async function printReceipt(pair, id, status, button) {
  if (button) button.disabled = true;
  status.className = "print-status";
  status.textContent = "Sending the receipt to the printer…";
  status.dataset.state = "sending";
  try {
    const answer = await api.print(pair, id);
    connection(true);
    status.textContent = `Sent to the printer (${answer.pending} waiting)`;
    status.title = answer.printer ? `printer: ${answer.printer}` : "";
    status.dataset.state = "queued";
    return true;
  } catch (error) {
    status.className = "print-status error";
    status.dataset.state = "failed";
    if (error instanceof ApiRefusal) {
      connection(true);
      status.textContent = error.status === 409 ? "No receipt printer is configured at this node"
        : `Not printed: ${error.message}`;
    } else {
      connection(false, error.message);
      status.textContent = `Not printed: ${error.message}. Press Print receipt to try again.`;
    }
    return false;
  } finally {
    if (button) button.disabled = false;
  }
}
