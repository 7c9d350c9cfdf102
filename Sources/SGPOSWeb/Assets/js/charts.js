// Charts as SVG, built with DOM APIs (no markup strings, no inline style: the pages' CSP
// allows only their own style sheet; colours come from classes in office.css). Values
// are integer cents or counts from the reports; only the drawing scales them.

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, text = "") {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== "") node.textContent = text;
  return node;
}

function frame(title, width, height) {
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": title });
  root.append(svg("title", {}, title));
  return root;
}

/**
 * Vertical bars, one per label (e.g. the 24 hours or the outlets): `values` numbers,
 * `tips` the text shown for each bar (its title), `labelEvery` how often a label is written.
 */
export function columnChart(title, labels, values, tips = [], labelEvery = 1) {
  const width = 720, height = 220, left = 8, bottom = 24, top = 10;
  const root = frame(title, width, height);
  const max = Math.max(1, ...values.map((v) => Math.abs(v)));
  const slot = (width - left * 2) / Math.max(1, labels.length);
  const plot = height - bottom - top;
  root.append(svg("line", { x1: left, y1: top + plot, x2: width - left, y2: top + plot, class: "axis" }));
  labels.forEach((label, index) => {
    const value = values[index] || 0;
    const barHeight = Math.round((Math.abs(value) / max) * plot);
    const x = left + index * slot + slot * 0.15;
    const bar = svg("rect", { x: x.toFixed(1), y: top + plot - barHeight, width: (slot * 0.7).toFixed(1), height: barHeight,
                              class: value < 0 ? "bar negative" : "bar", "data-label": label, "data-value": value });
    bar.append(svg("title", {}, tips[index] ?? `${label}: ${value}`));
    root.append(bar);
    if (index % labelEvery === 0) {
      root.append(svg("text", { x: (x + slot * 0.35).toFixed(1), y: height - 8, "text-anchor": "middle", class: "label" }, label));
    }
  });
  return root;
}

/** Horizontal bars with a label and a text each: rows of { label, value, text }. */
export function barChart(title, rows) {
  const rowHeight = 26, width = 720, labelWidth = 170, textWidth = 170;
  const height = Math.max(1, rows.length) * rowHeight + 8;
  const root = frame(title, width, height);
  const max = Math.max(1, ...rows.map((row) => Math.abs(row.value)));
  const room = width - labelWidth - textWidth;
  rows.forEach((row, index) => {
    const y = 4 + index * rowHeight;
    const length = Math.round((Math.abs(row.value) / max) * room);
    root.append(svg("text", { x: labelWidth - 6, y: y + 17, "text-anchor": "end", class: "label" }, row.label));
    const bar = svg("rect", { x: labelWidth, y: y + 4, width: length, height: rowHeight - 8,
                              class: row.value < 0 ? "bar negative" : "bar", "data-label": row.label, "data-value": row.value });
    bar.append(svg("title", {}, `${row.label}: ${row.text}`));
    root.append(bar);
    root.append(svg("text", { x: labelWidth + length + 6, y: y + 17, class: "value" }, row.text));
  });
  return root;
}

/** A donut of shares (rows of { label, value } with value ≥ 0), each slice with its class `slice-N`. */
export function donutChart(title, rows) {
  const size = 200, radius = 80, inner = 48, centre = size / 2;
  const root = frame(title, size + 200, size);
  const positive = rows.filter((row) => row.value > 0);
  const total = positive.reduce((sum, row) => sum + row.value, 0);
  if (total <= 0) {
    root.append(svg("circle", { cx: centre, cy: centre, r: radius, class: "slice-empty" }));
    return root;
  }
  let angle = -Math.PI / 2;
  positive.forEach((row, index) => {
    const sweep = (row.value / total) * Math.PI * 2;
    const end = angle + Math.min(sweep, Math.PI * 2 - 1e-6);
    const large = sweep > Math.PI ? 1 : 0;
    const point = (r, a) => `${(centre + r * Math.cos(a)).toFixed(2)} ${(centre + r * Math.sin(a)).toFixed(2)}`;
    const path = `M ${point(radius, angle)} A ${radius} ${radius} 0 ${large} 1 ${point(radius, end)} `
      + `L ${point(inner, end)} A ${inner} ${inner} 0 ${large} 0 ${point(inner, angle)} Z`;
    const slice = svg("path", { d: path, class: `slice slice-${index % 6}`, "data-label": row.label });
    slice.append(svg("title", {}, `${row.label}: ${row.text ?? row.value}`));
    root.append(slice);
    // The legend: a swatch and the label with its text, right of the donut.
    const y = 20 + index * 22;
    root.append(svg("rect", { x: size + 10, y: y - 11, width: 12, height: 12, class: `slice slice-${index % 6}` }));
    root.append(svg("text", { x: size + 28, y, class: "label" }, `${row.label} ${row.text ?? ""}`));
    angle += sweep;
  });
  return root;
}
