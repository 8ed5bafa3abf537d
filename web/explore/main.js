// The /explore page: fetches a network selection as graphology JSON (/export/network.graphology.json),
// lays it out with ForceAtlas2 and draws it with sigma.js. Bundled by esbuild (`make assets`)
// into api/static/vendor/explore/; nothing comes from a CDN.

import Graph from "graphology";
import forceAtlas2 from "graphology-layout-forceatlas2";
import Sigma from "sigma";

import "./explore.css";
import { formatValue, yearChart } from "./chart.js";
import { EDGE_COLORS, UNKNOWN, communityColor, countryColor } from "./colors.js";
import { DEFAULTS, EDGE_TYPES, LEVELS, maxNodes, readState, serverParams, writeState } from "./state.js";

const ID_BASE = "https://w3id.org/cnrs-kg/id/";
const PREFIXES = { ror: `${ID_BASE}org/ror/`, country: `${ID_BASE}country/`, id: ID_BASE, instrument: `${ID_BASE}instrument/` };
// The seeds that stand for organisations at the institution level, by the shape of their IRIs (as
// graph/explore/places.py's seed_kind reads them), with the reference that names them again.
const STAND_INS = [
  ["country", `${ID_BASE}country/`, "country:"],
  ["region", `${ID_BASE}area/m49/`, "region:"],
  ["group", `${ID_BASE}group/`, "group:"],
  ["instrument", `${ID_BASE}instrument/`, "instrument:"],
];
const LEVEL_NAMES = { institution: "institutions", country: "countries" };
const FORMATS = [
  ["gexf", "GEXF (networkx, graphology)"],
  ["gexf", "GEXF (Gephi's timeline)", "variant=dynamic"],
  ["graphml", "GraphML"],
  ["cyjs", "Cytoscape.js"],
  ["graphology.json", "graphology"],
  ["vosviewer.json", "VOSviewer JSON"],
  ["vosviewer-map.txt", "VOSviewer map"],
  ["vosviewer-network.txt", "VOSviewer network"],
  ["csv.zip", "CSV (zip)"],
];
const YEAR_MIN = 1970;
const YEAR_MAX = new Date().getFullYear();
const TYPE_ORDER = ["copublication", "instrument", "hierarchy"];
const COUNT = new Intl.NumberFormat("en");

const $ = (id) => document.getElementById(id);

let state = readState(window.location.search);
let network = null; // the fetched graph (multi, typed edges)
let display = new Graph({ type: "undirected" }); // one edge per pair, what sigma draws
let renderer = null;
let fetchCount = 0;
let fetched = { hops: DEFAULTS.hops, level: DEFAULTS.level }; // the selection the drawn network answers
const positions = new Map(); // node -> {x, y}, kept across fetches so the view stays recognisable
const seedLabels = new Map(); // seed IRI -> label
const instruments = new Map(); // instrument IRI -> {label, kind, kindLabel}

// --- helpers ---------------------------------------------------------------------------------------

function expand(seed) {
  const colon = seed.indexOf(":");
  const prefix = seed.slice(0, colon);
  if (colon > 0 && PREFIXES[prefix] && !seed.slice(colon + 1).startsWith("//")) return PREFIXES[prefix] + seed.slice(colon + 1);
  return seed;
}

// What a seed IRI names: "institution", or the kind of place or instrument that stands for organisations.
function seedKind(iri) {
  const found = STAND_INS.find(([, base]) => iri.startsWith(base) && !iri.slice(base.length).includes("/"));
  return found ? found[0] : "institution";
}

// A place or instrument seed as a short reference (group:asean) while its label is unknown.
function shortName(iri) {
  const found = STAND_INS.find(([kind]) => kind === seedKind(iri));
  return found ? found[2] + iri.slice(found[1].length) : iri;
}

function seedName(iri) {
  return seedLabels.get(iri) || (network?.hasNode(iri) ? network.getNodeAttribute(iri, "label") : shortName(iri));
}

function localPage(iri) {
  return iri.startsWith(ID_BASE) ? `/id/${iri.slice(ID_BASE.length)}` : iri;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function link(href, text) {
  return el("a", { href }, text);
}

function setStatus(text, isError = false) {
  const status = $("status");
  status.textContent = text;
  status.classList.toggle("error", isError);
}

// The server prunes a large selection to the nodes with the strongest ties (graph-level attribute
// `omitted`: how many it left out); say so, or the view would pass for the whole neighbourhood.
// `omitted` also counts the organisations (or countries) a seed stands for that have no tie in the
// view: raising Max. nodes would not bring those back, so the sentence says which case it is.
function showOmitted() {
  const omitted = network?.getAttribute("omitted") || 0;
  const note = $("omitted");
  note.hidden = !omitted;
  note.textContent = omitted ? omittedSentence(omitted) : "";
}

function omittedSentence(omitted) {
  const nodes = fetched.level === "country" ? "countries" : "nodes";
  const standing = standingSeeds();
  const shown = COUNT.format(network.order);
  const more = COUNT.format(omitted);
  const remedy = "raise Max. nodes or Min. weight, or narrow the years.";
  if (!standing.length) return `Showing the ${shown} ${nodes} with the strongest ties; ${more} more left out: ${remedy}`;
  const names = standing.map(seedName).join(", ");
  const members = fetched.level === "country" ? "countries" : "organisations";
  const untied = `${members} ${names} ${standing.length === 1 ? "stands" : "stand"} for that have no tie here`;
  if (!roomRanOut(standing)) return `Showing ${shown} ${nodes}; ${more} more left out: the ${untied}.`;
  return `Showing the ${shown} ${nodes} with the strongest ties; ${more} more left out (with any of the ${untied}): ${remedy}`;
}

// The seeds of the drawn network (as the server resolved them) that stood for other nodes: at the
// country level all of them, else the places and instruments that are not nodes themselves.
function standingSeeds() {
  const seeds = network.getAttribute("seeds") || [];
  if (fetched.level === "country") return seeds;
  return seeds.filter((seed) => seedKind(seed) !== "institution" && !network.hasNode(seed));
}

// Whether Max. nodes bound, as graph.explore.network prunes: the whole view is full, or the nodes
// standing for the seeds took all the room they get (half of Max. nodes when hops > 0, less the
// seeds that are nodes themselves).
function roomRanOut(standing) {
  const most = network.getAttribute("maxNodes") || state.maxNodes;
  if (network.order >= most) return true;
  const seeds = network.getAttribute("seeds") || [];
  const given = new Set(seeds.filter((seed) => !standing.includes(seed) && network.hasNode(seed)));
  const room = Math.max((fetched.hops ? Math.floor(most / 2) : most) - given.size, given.size ? 0 : 1);
  const standIns = network.filterNodes((node, a) => a.seed && !given.has(node)).length;
  return standIns >= room;
}

function pairKey(a, b) {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

function random(seed) {
  // a small deterministic generator: the same data gives the same first layout
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

// --- data ----------------------------------------------------------------------------------------

async function loadInstruments() {
  try {
    const response = await fetch("/explore/instruments");
    if (!response.ok) return;
    for (const item of await response.json()) instruments.set(item.iri, item);
  } catch (error) {
    console.warn("instruments", error);
  }
}

async function loadNetwork() {
  const mine = ++fetchCount;
  document.body.dataset.loading = "true";
  setStatus("Loading the network…");
  const params = serverParams(state);
  const asked = { hops: state.hops, level: state.level };
  try {
    const response = await fetch(`/export/network.graphology.json?${params}`);
    if (mine !== fetchCount) return; // a newer request has started
    if (!response.ok) {
      setStatus(`${response.status}: ${(await response.text()).trim()}`, true);
      document.body.dataset.loading = "false";
      return;
    }
    const json = await response.json();
    if (mine !== fetchCount) return;
    network = Graph.from(json);
    fetched = asked;
    buildDisplay();
    fillFilters();
    applyView();
    renderSeeds();
    renderExports();
    showOmitted();
    setStatus(network.order ? "" : "Nothing matches this selection: widen the years, add hops or edge types.");
    if (state.node && display.hasNode(state.node)) selectNode(state.node);
    else if (state.pair && display.hasEdge(state.pair)) selectPair(state.pair);
    else showDetailsHint();
  } catch (error) {
    setStatus(`The network could not be loaded: ${error}`, true);
  }
  document.body.dataset.loading = "false";
  document.body.dataset.ready = "true";
}

function buildDisplay() {
  const graph = new Graph({ type: "undirected" });
  const next = random(network.order * 7919 + network.size);
  const order = network.order || 1;
  let index = 0;
  network.forEachNode((key, attributes) => {
    let position = positions.get(key);
    if (!position) {
      const angle = (2 * Math.PI * index) / order;
      const radius = 100 * (1 + (attributes.hops || 0));
      position = { x: radius * Math.cos(angle) + next() * 10, y: radius * Math.sin(angle) + next() * 10 };
    }
    index += 1;
    graph.addNode(key, { ...attributes, x: position.x, y: position.y, size: 4, color: UNKNOWN });
  });
  network.forEachEdge((key, attributes, source, target) => {
    const pair = pairKey(source, target);
    if (!graph.hasEdge(pair)) graph.addUndirectedEdgeWithKey(pair, source, target, { members: [], weight: 0 });
    const edge = graph.getEdgeAttributes(pair);
    edge.members.push({ key, ...attributes });
    edge.weight += attributes.weight || 0;
  });
  const known = graph.filterNodes((node) => positions.has(node)).length;
  const iterations = known > graph.order * 0.8 ? 60 : graph.order > 1500 ? 120 : 300;
  if (graph.order > 1) {
    const settings = forceAtlas2.inferSettings(graph);
    forceAtlas2.assign(graph, {
      iterations,
      getEdgeWeight: (_, attributes) => Math.log1p(attributes.weight || 1),
      settings: { ...settings, barnesHutOptimize: graph.order > 300, gravity: 1, scalingRatio: 8 },
    });
  }
  graph.forEachNode((node, attributes) => positions.set(node, { x: attributes.x, y: attributes.y }));
  display = graph;
  if (renderer) renderer.setGraph(display);
  else startRenderer();
}

// --- drawing -------------------------------------------------------------------------------------

function startRenderer() {
  renderer = new Sigma(display, $("graph-container"), {
    allowInvalidContainer: true,
    enableEdgeEvents: true,
    labelRenderedSizeThreshold: 7,
    defaultEdgeColor: "#ccc",
    zIndex: true,
    nodeReducer: (node, data) => {
      const focus = focusSet();
      if (!focus) return data;
      if (focus.has(node)) return { ...data, zIndex: 2, highlighted: node === state.node };
      return { ...data, color: "#e4e4e4", label: "", zIndex: 0 };
    },
    edgeReducer: (edge, data) => {
      const focus = focusSet();
      if (state.pair === edge) return { ...data, color: "#222", size: Math.max(data.size, 3), zIndex: 2 };
      if (!focus) return data;
      const [a, b] = display.extremities(edge);
      if (focus.has(a) && focus.has(b) && (a === state.node || b === state.node || state.pair)) return { ...data, zIndex: 1 };
      return { ...data, color: "#f0f0f0", zIndex: 0 };
    },
  });
  renderer.on("clickNode", ({ node }) => selectNode(node));
  renderer.on("clickEdge", ({ edge }) => selectPair(edge));
  renderer.on("clickStage", () => clearSelection());
  renderer.on("enterNode", () => { $("graph-container").style.cursor = "pointer"; });
  renderer.on("leaveNode", () => { $("graph-container").style.cursor = ""; });
}

function focusSet() {
  if (state.pair && display.hasEdge(state.pair)) return new Set(display.extremities(state.pair));
  if (state.node && display.hasNode(state.node)) return new Set([state.node, ...display.neighbors(state.node)]);
  return null;
}

function kindOf(instrument) {
  return instruments.get(instrument)?.kindLabel || "unknown kind";
}

function memberVisible(member) {
  if (!state.include.includes(member.type)) return false;
  if (member.type !== "instrument" || !state.kind.length) return true;
  return (member.instruments || []).some((i) => state.kind.includes(kindOf(i)));
}

// Filters (country, region, instrument kind), sizes, colours and counts; no new fetch.
function applyView() {
  const hiddenNode = new Set();
  display.forEachNode((node, a) => {
    if (a.seed) return;
    if (state.country.length && !state.country.includes(a.country || "none")) hiddenNode.add(node);
    else if (state.region.length && !state.region.includes(a.region || "none")) hiddenNode.add(node);
  });
  let edges = 0;
  let maxWeight = 0;
  const linked = new Set();
  display.forEachEdge((edge, a, source, target) => {
    const visible = a.members.filter(memberVisible);
    const hidden = !visible.length || hiddenNode.has(source) || hiddenNode.has(target);
    const weight = visible.reduce((sum, m) => sum + (m.weight || 0), 0);
    const main = TYPE_ORDER.find((t) => visible.some((m) => m.type === t)) || "hierarchy";
    display.mergeEdgeAttributes(edge, { hidden, shownWeight: weight, color: EDGE_COLORS[main] });
    if (!hidden) {
      edges += visible.length;
      maxWeight = Math.max(maxWeight, weight);
      linked.add(source);
      linked.add(target);
    }
  });
  let maxDegree = 0;
  display.forEachNode((_, a) => { maxDegree = Math.max(maxDegree, a.weighted_degree || 0); });
  let nodes = 0;
  display.forEachNode((node, a) => {
    const hidden = hiddenNode.has(node) || (!a.seed && !linked.has(node));
    const color = state.color === "community" ? communityColor(a.community) : countryColor(a.country);
    const size = 3 + 15 * Math.sqrt((a.weighted_degree || 0) / (maxDegree || 1));
    display.mergeNodeAttributes(node, { hidden, color, size, borderColor: a.seed ? "#000" : undefined });
    if (!hidden) nodes += 1;
  });
  display.forEachEdge((edge, a) => {
    display.setEdgeAttribute(edge, "size", 0.6 + 3.4 * Math.sqrt((a.shownWeight || 0) / (maxWeight || 1)));
  });
  renderer?.setSetting("labelRenderedSizeThreshold", nodes <= 60 ? 0 : 7); // a small view names every node
  $("node-count").textContent = String(nodes);
  $("edge-count").textContent = String(edges);
  renderLegend();
  if (renderer) renderer.refresh();
  writeState(state);
}

// The edge types asked for that the server draws (the country level has co-publications only).
function drawnTypes() {
  const drawn = network?.getAttribute("include");
  return drawn ? state.include.filter((type) => drawn.includes(type)) : state.include;
}

function renderLegend() {
  const legend = $("legend");
  legend.replaceChildren();
  const counts = new Map();
  display.forEachNode((_, a) => {
    if (a.hidden) return;
    const key = state.color === "community" ? `community ${a.community ?? "?"}` : a.country || "no country";
    const color = state.color === "community" ? communityColor(a.community) : countryColor(a.country);
    const entry = counts.get(key) || { color, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  });
  const top = [...counts.entries()].sort((x, y) => y[1].count - x[1].count).slice(0, 12);
  for (const [name, { color, count }] of top) {
    legend.append(el("li", {}, el("span", { class: "swatch", style: `background:${color}` }), `${name} (${count})`));
  }
  for (const type of drawnTypes()) {
    legend.append(el("li", {}, el("span", { class: "swatch line", style: `background:${EDGE_COLORS[type]}` }), type));
  }
}

// --- controls ------------------------------------------------------------------------------------

function renderSeeds() {
  const list = $("seeds");
  list.replaceChildren();
  for (const seed of state.seeds) {
    const iri = expand(seed);
    if (network?.hasNode(iri)) seedLabels.set(iri, network.getNodeAttribute(iri, "label"));
    const kind = seedKind(iri);
    const known = seedLabels.get(iri);
    const label = kind === "institution" ? known || seed : known ? `${known} (${kind})` : shortName(iri);
    const remove = el("button", {
      type: "button",
      "aria-label": `Remove seed ${label}`,
      disabled: state.seeds.length === 1,
      onclick: () => {
        state.seeds = state.seeds.filter((s) => s !== seed);
        changed(true);
      },
    }, "×");
    list.append(el("li", { title: iri }, el("span", {}, label), remove));
  }
}

function renderExports() {
  const box = $("exports");
  box.replaceChildren();
  const params = serverParams(state);
  for (const [suffix, label, variant] of FORMATS) {
    const query = variant ? `${params}&${variant}` : `${params}`;
    const format = variant ? `${suffix}-${variant.split("=")[1]}` : suffix;
    box.append(el("a", { class: "button", href: `/export/network.${suffix}?${query}`, download: true, "data-format": format }, label));
  }
}

function fillFilters() {
  const countries = new Set(state.country);
  const regions = new Set(state.region);
  network.forEachNode((_, a) => {
    countries.add(a.country || "none");
    regions.add(a.region || "none");
  });
  fillSelect($("country-filter"), [...countries].sort(), state.country);
  fillSelect($("region-filter"), [...regions].sort(), state.region);
  const kinds = new Set(state.kind);
  network.forEachEdge((_, a) => {
    for (const instrument of a.instruments || []) kinds.add(kindOf(instrument));
  });
  const box = $("instrument-kinds");
  box.replaceChildren();
  if (!kinds.size) box.append(el("p", { class: "hint" }, "No instrument in this view."));
  for (const kind of [...kinds].sort()) {
    const input = el("input", {
      type: "checkbox",
      value: kind,
      checked: !state.kind.length || state.kind.includes(kind),
      onchange: () => {
        const checked = [...box.querySelectorAll("input:checked")].map((i) => i.value);
        state.kind = checked.length === kinds.size ? [] : checked;
        changed(false);
      },
    });
    box.append(el("label", {}, input, kind));
  }
}

function fillSelect(select, values, chosen) {
  select.replaceChildren(...values.map((v) => el("option", { value: v, selected: chosen.includes(v) }, v)));
}

function renderEdgeTypes() {
  const box = $("edge-types");
  box.replaceChildren();
  for (const type of EDGE_TYPES) {
    const input = el("input", {
      type: "checkbox",
      value: type,
      checked: state.include.includes(type),
      disabled: state.level === "country" && type !== "copublication",
      onchange: (event) => {
        const checked = [...box.querySelectorAll("input:checked")].map((i) => i.value);
        if (!checked.length) {
          event.target.checked = true; // at least one type
          return;
        }
        state.include = checked;
        changed(true);
      },
    });
    const title = input.disabled ? "Countries are tied by co-publications only" : undefined;
    box.append(el("label", { title }, input, el("span", { class: "swatch line", style: `background:${EDGE_COLORS[type]}` }), type));
  }
}

function yearLabel() {
  const from = state.from ?? null;
  const to = state.to ?? null;
  $("year-label").textContent = from === null && to === null ? "all years" : `${from ?? "…"}–${to ?? "…"}`;
}

function setupYears() {
  for (const [id, value] of [["year-from", state.from ?? YEAR_MIN], ["year-to", state.to ?? YEAR_MAX]]) {
    const input = $(id);
    input.min = String(YEAR_MIN);
    input.max = String(YEAR_MAX);
    input.step = "1";
    input.value = String(value);
  }
  const read = () => {
    let from = Number($("year-from").value);
    let to = Number($("year-to").value);
    if (from > to) [from, to] = [to, from];
    state.from = from <= YEAR_MIN ? null : from;
    state.to = to >= YEAR_MAX ? null : to;
  };
  for (const id of ["year-from", "year-to"]) {
    $(id).addEventListener("input", () => { read(); yearLabel(); });
    $(id).addEventListener("change", () => { read(); yearLabel(); changed(true); });
  }
  yearLabel();
}

let refetchTimer = null;

function changed(refetch) {
  writeState(state);
  if (refetch) {
    window.clearTimeout(refetchTimer);
    refetchTimer = window.setTimeout(loadNetwork, 150);
    renderExports();
  } else {
    applyView();
  }
}

// The "Nodes" selector (institutions or countries), placed after Counting in the same grid.
function levelControl() {
  const select = el("select", { id: "level", title: "Countries: the seeds' countries, tied by their co-publications" },
    LEVELS.map((level) => el("option", { value: level, selected: level === state.level }, LEVEL_NAMES[level])));
  $("counting").after(el("label", { for: "level" }, "Nodes"), select);
  select.addEventListener("change", (e) => {
    state.level = e.target.value;
    state.node = null; // the selected node or edge is not one of the other level's
    state.pair = null;
    renderEdgeTypes();
    changed(true);
  });
}

function setupControls() {
  levelControl();
  $("hops").value = String(state.hops);
  $("counting").value = state.counting;
  $("min-weight").value = String(state.minWeight);
  $("max-nodes").value = String(state.maxNodes);
  $("color-by").value = state.color;
  $("hops").addEventListener("change", (e) => { state.hops = Number(e.target.value); changed(true); });
  $("counting").addEventListener("change", (e) => { state.counting = e.target.value; changed(true); });
  $("min-weight").addEventListener("change", (e) => { state.minWeight = Math.max(0, Number(e.target.value) || 0); changed(true); });
  $("max-nodes").addEventListener("change", (e) => {
    state.maxNodes = maxNodes(e.target.value === "" ? NaN : Number(e.target.value));
    e.target.value = String(state.maxNodes); // what is asked for, after rounding into 1 to 2000
    changed(true);
  });
  $("color-by").addEventListener("change", (e) => { state.color = e.target.value; changed(false); });
  for (const [id, name] of [["country-filter", "country"], ["region-filter", "region"]]) {
    $(id).addEventListener("change", (e) => {
      state[name] = [...e.target.selectedOptions].map((o) => o.value);
      changed(false);
    });
  }
  $("copy-link").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setStatus("Link to this view copied.");
    } catch {
      window.prompt("Link to this view:", window.location.href);
    }
  });
  renderEdgeTypes();
  setupYears();
  setupSearch();
}

// A hit's kind as the suggestions show it; an instrument's own kind too (a LIA and a PICS may share a name).
function kindText(item) {
  const kindLabel = item.kind === "instrument" ? instruments.get(item.iri)?.kindLabel : null;
  return kindLabel ? `${item.kind}: ${kindLabel}` : item.kind;
}

function setupSearch() {
  const input = $("seed-search");
  const list = $("seed-suggestions");
  let timer = null;
  let found = [];
  const choose = (item) => {
    seedLabels.set(item.iri, item.label);
    if (!state.seeds.map(expand).includes(item.iri)) state.seeds = [...state.seeds, item.iri];
    input.value = "";
    list.hidden = true;
    renderSeeds();
    changed(true);
  };
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      const text = input.value.trim();
      if (text.length < 2) {
        list.hidden = true;
        return;
      }
      const response = await fetch(`/explore/search?${new URLSearchParams({ q: text })}`);
      found = response.ok ? await response.json() : [];
      list.replaceChildren(
        ...found.map((item, i) => el("li", { role: "option", id: `suggestion-${i}` },
          el("button", { type: "button", onclick: () => choose(item) }, item.label, " ", el("small", {}, `(${kindText(item)})`)))),
      );
      if (!found.length) list.append(el("li", { class: "hint" }, "No institution, country, region, group or instrument by that name."));
      list.hidden = false;
    }, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && found.length) {
      event.preventDefault();
      choose(found[0]);
    } else if (event.key === "Escape") {
      list.hidden = true;
    }
  });
}

// --- details -------------------------------------------------------------------------------------

function showDetailsHint() {
  $("details").replaceChildren(el("p", { class: "hint" }, "Click a node or an edge to see its details, its sources and its linked-data page."));
}

function clearSelection() {
  state.node = null;
  state.pair = null;
  showDetailsHint();
  writeState(state);
  renderer?.refresh();
}

function row(name, value) {
  if (value === undefined || value === null || value === "") return null;
  return [el("dt", {}, name), el("dd", {}, value)];
}

async function loadSources(target, params) {
  target.replaceChildren(el("li", { class: "hint" }, "Loading sources…"));
  try {
    const response = await fetch(`/explore/sources?${params}`);
    const found = response.ok ? await response.json() : [];
    target.replaceChildren(
      ...found.map((s) => el("li", {},
        link(s.graph, s.title || s.graph),
        s.primary || s.source ? [" — ", link(s.primary || s.source, "primary source")] : null)),
    );
    if (!found.length) target.append(el("li", { class: "hint" }, "No source graph found."));
  } catch (error) {
    target.replaceChildren(el("li", { class: "error" }, `Sources could not be loaded: ${error}`));
  }
}

function selectNode(node) {
  state.node = node;
  state.pair = null;
  writeState(state);
  renderer?.refresh();
  const a = display.getNodeAttributes(node);
  const ids = [
    row("ROR", a.ror ? link(`https://ror.org/${a.ror}`, a.ror) : null),
    row("HAL", a.hal ? link(`https://aurehal.archives-ouvertes.fr/structure/read/id/${a.hal}`, a.hal) : null),
    row("OpenAlex", a.openalex ? link(`https://openalex.org/${a.openalex}`, a.openalex) : null),
  ];
  const metrics = [
    row("Degree", a.degree),
    row("Weighted degree", formatValue(a.weighted_degree || 0)),
    row("Betweenness", (a.betweenness || 0).toFixed(4)),
    row("PageRank", (a.pagerank || 0).toFixed(4)),
    row("Community", a.community),
  ];
  const neighbours = display.edges(node)
    .filter((edge) => !display.getEdgeAttribute(edge, "hidden"))
    .map((edge) => {
      const other = display.opposite(node, edge);
      const e = display.getEdgeAttributes(edge);
      const types = e.members.filter(memberVisible).map((m) => `${m.type} ${formatValue(m.weight)}`).join(", ");
      return { edge, other, label: display.getNodeAttribute(other, "label"), types, weight: e.shownWeight || 0 };
    })
    .sort((x, y) => y.weight - x.weight);
  const sources = el("ul", { id: "sources", class: "sources" });
  const isSeed = state.seeds.map(expand).includes(node);
  $("details").replaceChildren(
    el("h2", {}, a.label),
    el("p", { class: "iri" }, el("code", {}, node)),
    el("p", {}, link(localPage(node), "Linked-data page"), " · ", link(`/export/network.gexf?${serverParams({ ...state, seeds: [node] })}`, "its network as GEXF")),
    el("dl", {}, row("Kind", a.kind), row("Country", a.country), row("Region", a.region), ...ids, row("Hops from a seed", a.hops), ...metrics),
    el("p", {},
      el("button", { type: "button", disabled: isSeed, onclick: () => { state.seeds = [...state.seeds, node]; changed(true); } }, "Add as seed"),
      " ",
      el("button", { type: "button", onclick: () => { state.seeds = [node]; changed(true); } }, "Explore from here")),
    el("h3", {}, "Sources"),
    sources,
    el("h3", {}, `Edges in view (${neighbours.length})`),
    el("ul", { class: "neighbours" }, neighbours.slice(0, 50).map((n) =>
      el("li", {}, el("button", { type: "button", class: "linkish", onclick: () => selectPair(n.edge) }, n.label), ` ${n.types}`))),
  );
  loadSources(sources, new URLSearchParams({ entity: node }));
}

// An instrument's co-publications with the partner at one end of the pair, before, during and after its
// active span (GraphQL's Instrument.copublications: graph.analytics.instruments states the rules).
const PHASES_QUERY = `query ($key: String!) { instrument(key: $key) { copublications {
  partner { iri } start end
  before { firstYear lastYear years works rate } during { firstYear lastYear years works rate }
  after { firstYear lastYear years works rate } } } }`;

function phaseText(name, phase) {
  if (!phase || !phase.years) return `${name}: no year of data`;
  const rate = phase.rate === null ? "" : `, ${formatValue(phase.rate)} a year`;
  return `${name} (${phase.firstYear}–${phase.lastYear}): ${formatValue(phase.works)} works${rate}`;
}

function phasesBox(instrument, ends) {
  const box = el("ul", { class: "phases" }, el("li", { class: "hint" }, "Loading phases…"));
  loadPhases(box, instrument, ends);
  return box;
}

async function loadPhases(box, instrument, ends) {
  try {
    const key = instrument.slice(PREFIXES.instrument.length);
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query: PHASES_QUERY, variables: { key } }),
    });
    const answer = await response.json();
    const found = (answer.data?.instrument?.copublications || []).filter((c) => ends.includes(c.partner.iri));
    if (!found.length) {
      box.replaceChildren(el("li", { class: "hint" }, "Phases: neither end is a partner party of it."));
      return;
    }
    box.replaceChildren(...found.flatMap((c) => c.start === null
      ? [el("li", { class: "hint" }, "Undated: no phases.")]
      : [
        el("li", {}, `With ${display.hasNode(c.partner.iri) ? display.getNodeAttribute(c.partner.iri, "label") : c.partner.iri}, `
          + `active ${c.start}–${c.end ?? "open"} (full counting):`),
        ...["before", "during", "after"].map((name) => el("li", { "data-phase": name }, phaseText(name, c[name]))),
      ]));
  } catch (error) {
    box.replaceChildren(el("li", { class: "error" }, `The phases could not be loaded: ${error}`));
  }
}

// The works behind the pair's co-publications in the window, or in the year of a bar clicked in its chart,
// a page at a time (GraphQL's copublications: exactly the works graph.analytics.works finds the counting
// rules count in the edge's weight).
const WORKS_PAGE = 10;
const WORKS_QUERY = `query ($between: [String!]!, $during: YearRange, $counting: Counting!, $first: Int, $after: String) {
  copublications(between: $between, during: $during, counting: $counting, first: $first, after: $after) {
    totalCount works { pageInfo { hasNextPage endCursor } nodes { iri year weight doi title sources { graph name } } } } }`;

function workItem(work) {
  const title = work.title || work.doi || work.iri;
  const names = work.sources.map((s) => link(s.graph, s.name || s.graph));
  return el("li", { "data-work": work.iri },
    `${work.year} — `, link(work.doi ? `https://doi.org/${work.doi}` : localPage(work.iri), title),
    work.doi ? el("span", { class: "hint" }, ` doi:${work.doi}`) : null,
    state.counting === "fractional" ? ` (${formatValue(work.weight)})` : null,
    names.length ? [" — ", ...names.flatMap((n, i) => (i ? [", ", n] : [n]))] : null);
}

function windowOf() {
  return state.from === null && state.to === null ? null : { start: state.from, end: state.to };
}

function worksBox(a, b) {
  const box = el("section", { class: "works" },
    el("h3", {}, "Works behind the co-publications"),
    el("ol", { id: "pair-works" }, el("li", { class: "hint" }, "Loading works…")));
  loadWorks(box, [a, b], windowOf(), null);
  return box;
}

// A bar of the pair's chart clicked: the works of its year (its <title> reads "2014: 3").
function showYearWorks(box, between, event) {
  const bar = event.target.closest("rect.bar");
  if (!bar) return;
  const year = Number(bar.querySelector("title").textContent.split(":")[0]);
  box.querySelector("ol").replaceChildren(el("li", { class: "hint" }, `Loading the works of ${year}…`));
  loadWorks(box, between, { start: year, end: year }, null);
}

async function loadWorks(box, between, during, after) {
  const list = box.querySelector("ol");
  box.querySelector("p.works-nav")?.remove();
  try {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({
        query: WORKS_QUERY,
        variables: { between, during, counting: state.counting.toUpperCase(), first: WORKS_PAGE, after },
      }),
    });
    const answer = await response.json();
    if (answer.errors) throw new Error(answer.errors[0].message);
    const found = answer.data.copublications;
    const oneYear = during !== null && during.start !== null && during.start === during.end;
    if (after === null) {
      list.replaceChildren();
      box.querySelector("h3").textContent =
        `Works behind the co-publications${oneYear ? ` of ${during.start}` : ""} (${COUNT.format(found.totalCount)})`;
    }
    list.append(...found.works.nodes.map(workItem));
    if (!found.totalCount) list.append(el("li", { class: "hint" }, "No work in this window."));
    const page = found.works.pageInfo;
    const nav = el("p", { class: "works-nav" },
      page.hasNextPage
        ? el("button", { type: "button", class: "linkish more", onclick: () => loadWorks(box, between, during, page.endCursor) },
          `More (${COUNT.format(found.totalCount - list.children.length)} left)`)
        : null,
      oneYear
        ? [" ", el("button", { type: "button", class: "linkish every-year", onclick: () => loadWorks(box, between, windowOf(), null) },
          "All the years")]
        : null);
    if (nav.children.length) box.append(nav);
  } catch (error) {
    list.replaceChildren(el("li", { class: "error" }, `The works could not be loaded: ${error.message || error}`));
  }
}

async function selectPair(edge) {
  state.pair = edge;
  state.node = null;
  writeState(state);
  renderer?.refresh();
  const [a, b] = display.extremities(edge);
  const e = display.getEdgeAttributes(edge);
  const la = display.getNodeAttribute(a, "label");
  const lb = display.getNodeAttribute(b, "label");
  const members = e.members.filter(memberVisible);
  const chart = el("div", { id: "pair-chart", class: "chart" }, el("p", { class: "hint" }, "Loading…"));
  const works = members.some((m) => m.type === "copublication") ? worksBox(a, b) : null;
  if (works) chart.addEventListener("click", (event) => showYearWorks(works, [a, b], event));
  const sources = el("ul", { id: "sources", class: "sources" });
  $("details").replaceChildren(
    el("h2", {}, `${la} — ${lb}`),
    el("p", {}, link(localPage(a), la), " · ", link(localPage(b), lb)),
    ...members.map((m) => el("section", { class: "member" },
      el("h3", {}, m.type, m.internal ? " (internal: a unit and its parent)" : ""),
      el("dl", {},
        row("Weight", `${formatValue(m.weight)} (${state.counting} counting)`),
        row("Years", m.first_year ? `${m.first_year}–${m.last_year}` : "undated"),
        row("Instruments", (m.instruments || []).length
          ? el("ul", {}, m.instruments.map((i) => el("li", {}, link(localPage(i), instruments.get(i)?.label || i), ` (${kindOf(i)})`,
            phasesBox(i, [a, b]))))
          : null)))),
    el("h3", {}, "Co-publications per year"),
    chart,
    works,
    el("h3", {}, "Sources"),
    sources,
  );
  const graphs = [...new Set(members.flatMap((m) => m.sources || []))];
  const params = new URLSearchParams();
  for (const g of graphs) params.append("graph", g);
  if (graphs.length) loadSources(sources, params);
  else sources.replaceChildren(el("li", { class: "hint" }, "No source graph."));
  try {
    const response = await fetch(`/explore/trend?${new URLSearchParams({ a, b, counting: state.counting })}`);
    const answer = response.ok ? await response.json() : { years: {} };
    const years = Object.fromEntries(Object.entries(answer.years).filter(([y]) =>
      (state.from === null || Number(y) >= state.from) && (state.to === null || Number(y) <= state.to)));
    chart.replaceChildren(yearChart(years));
  } catch (error) {
    chart.replaceChildren(el("p", { class: "error" }, `The trend could not be loaded: ${error}`));
  }
}

// --- start ---------------------------------------------------------------------------------------

window.explorer = {
  get renderer() { return renderer; },
  get graph() { return display; },
  state: () => ({ ...state }),
  // where a node is drawn, in CSS pixels of the graph container (for tests and tools)
  nodePosition(node) {
    const data = renderer.getNodeDisplayData(node);
    return data ? renderer.framedGraphToViewport(data) : null;
  },
  visibleNodes() { return display.filterNodes((n, a) => !a.hidden); },
  // the middle of a drawn edge, in the same pixels
  edgePosition(edge) {
    const [a, b] = display.extremities(edge).map((n) => this.nodePosition(n));
    return a && b ? { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } : null;
  },
  defaults: DEFAULTS,
};

setupControls();
renderSeeds();
renderExports();
loadInstruments().then(loadNetwork);
