// A small inline SVG bar chart: co-publications per year of a pair of nodes.

const SVG = "http://www.w3.org/2000/svg";

function element(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

// years: {"2014": 1.5, ...}; returns an <svg> (or a <p> when there is nothing to draw).
export function yearChart(years, { width = 300, height = 140, unit = "co-publications" } = {}) {
  const entries = Object.entries(years)
    .map(([year, value]) => [Number(year), Number(value)])
    .sort((a, b) => a[0] - b[0]);
  if (!entries.length) {
    const empty = document.createElement("p");
    empty.className = "chart-empty";
    empty.textContent = `No ${unit} in the years asked for.`;
    return empty;
  }
  const first = entries[0][0];
  const last = entries[entries.length - 1][0];
  const span = last - first + 1;
  const max = Math.max(...entries.map(([, v]) => v), 1);
  const left = 28;
  const bottom = 20;
  const plotWidth = width - left - 4;
  const plotHeight = height - bottom - 8;
  const bar = Math.min(plotWidth / span, 28); // a lone year is a bar, not a wall
  const svg = element("svg", {
    class: "year-chart",
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
    "aria-label": `${unit} per year, ${first} to ${last}`,
  });
  svg.appendChild(element("line", { x1: left, y1: 8 + plotHeight, x2: width - 4, y2: 8 + plotHeight, class: "axis" }));
  svg.appendChild(element("text", { x: left - 4, y: 14, "text-anchor": "end", class: "tick" }, formatValue(max)));
  svg.appendChild(element("text", { x: left - 4, y: 8 + plotHeight, "text-anchor": "end", class: "tick" }, "0"));
  const byYear = new Map(entries);
  const step = Math.max(1, Math.ceil(span / 8));
  for (let i = 0; i < span; i += 1) {
    const year = first + i;
    const value = byYear.get(year) || 0;
    const h = (value / max) * plotHeight;
    const x = left + i * bar;
    if (value) {
      const rect = element("rect", { x: x + 1, y: 8 + plotHeight - h, width: Math.max(1, bar - 2), height: h, class: "bar" });
      rect.appendChild(element("title", {}, `${year}: ${formatValue(value)}`));
      svg.appendChild(rect);
    }
    if (i % step === 0 || year === last) {
      svg.appendChild(element("text", { x: x + bar / 2, y: height - 6, "text-anchor": "middle", class: "tick" }, String(year)));
    }
  }
  return svg;
}

export function formatValue(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
