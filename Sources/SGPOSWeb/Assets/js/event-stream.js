// The node's block events (`GET /v1/events`, docs/API.md): server-sent events, read with
// fetch() and a ReadableStream because the request must be signed (RFC 9421) and a
// browser's EventSource cannot sign. The text is parsed as the SSE format says: events
// end with a blank line, `event:` names one, `data:` lines carry its data, a line starting
// with `:` is a comment (the node's heartbeat).

import { signatureHeaders } from "./signed-fetch.js";
import { ApiRefusal, Unreachable } from "./node-api.js";

const bufferMax = 64 * 1024;

/** Parses one SSE event block (its lines); returns { event, data } or null for a comment-only block. */
export function parseEvent(block) {
  let event = "message";
  const data = [];
  let seen = false;
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") { event = value; seen = true; }
    if (field === "data") { data.push(value); seen = true; }
  }
  return seen ? { event, data: data.join("\n") } : null;
}

/**
 * Reads the node's events signed by `pair` until the stream ends (returns), the node
 * refuses (ApiRefusal) or cannot be reached (Unreachable), or `signal` aborts. Calls
 * `onOpen()` once the stream is open and `onBlock({outletId, height, transactions})` per block.
 */
export async function readBlockEvents(pair, { onOpen, onBlock, signal }) {
  let response;
  try {
    const headers = await signatureHeaders(pair, "GET", "/v1/events");
    response = await fetch("/v1/events", { headers: { ...headers, Accept: "text/event-stream" }, cache: "no-store", signal });
  } catch (error) {
    throw new Unreachable(error.name === "AbortError" ? "stopped" : "the node cannot be reached");
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { problem = null; }
    if (response.status >= 500 && response.status !== 503) throw new Unreachable(`the node answered ${response.status}`);
    throw new ApiRefusal(response.status, problem);
  }
  if (onOpen) onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer = (buffer + value).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const parsed = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (parsed && parsed.event === "block" && onBlock) {
          try { onBlock(JSON.parse(parsed.data)); } catch { /* not JSON: ignored */ }
        }
      }
      if (buffer.length > bufferMax) throw new Unreachable("the event stream sent an event over 64 KiB");
    }
  } catch (error) {
    if (error instanceof Unreachable) throw error;
    throw new Unreachable(error.name === "AbortError" ? "stopped" : "the event stream broke off");
  } finally {
    reader.releaseLock();
  }
}
