// What every signed-in page shares: element lookup, the message line, the connection
// badge, and `reach` — a call retried every 2 s while the node cannot be reached (a
// refusal is an answer and is thrown), the badge showing which.

import { ApiRefusal } from "./node-api.js";

export const $ = (id) => document.getElementById(id);
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function say(text, kind = "error") {
  const message = $("message");
  message.hidden = !text;
  message.className = `message ${kind}`;
  message.textContent = text || "";
}

export function connection(online, detail = "") {
  const badge = $("connection");
  badge.className = `connection ${online ? "online" : "offline"}`;
  badge.textContent = online ? "node online" : `node unreachable${detail ? `: ${detail}` : ""}`;
}

/** Runs `call` until the node answers (a refusal is an answer), showing the node as unreachable meanwhile. */
export async function reach(call) {
  for (;;) {
    try {
      const result = await call();
      connection(true);
      return result;
    } catch (error) {
      if (error instanceof ApiRefusal) { connection(true); throw error; }
      connection(false, error.message);
      await sleep(2000);
    }
  }
}
