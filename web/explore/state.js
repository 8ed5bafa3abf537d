// The view's state, held in the page's URL so that a link reproduces the view.
//
// Server parameters (those of /export/network.<format>): seeds, hops, from, to, minWeight,
// counting, include, maxNodes and level (these two left out at their defaults, so older links stay
// as they were).
// Page parameters: color, country, region, kind (filters drawn in the page), node (the selected
// node) or pair (the selected edge: its two nodes' IRIs joined by "|").

export const EDGE_TYPES = ["copublication", "instrument", "hierarchy"];
export const MAX_NODES_LIMIT = 2000;
// What the nodes are: institutions (a country, region, group or instrument seed stands for its
// organisations) or countries (graph.explore.Level).
export const LEVELS = ["institution", "country"];
export const DEFAULTS = {
  seeds: ["ror:02feahw73"],
  hops: 2,
  from: null,
  to: null,
  minWeight: 0,
  maxNodes: 200, // the server's default (graph.explore.MAX_NODES)
  counting: "full",
  level: "institution",
  include: ["copublication", "instrument"],
  color: "country",
  country: [],
  region: [],
  kind: [],
  node: null,
  pair: null,
};

function number(text, fallback) {
  if (text === null || text === "") return fallback;
  const value = Number(text);
  return Number.isFinite(value) ? value : fallback;
}

// The server accepts 1 to 2000 nodes: a number is rounded into that range, anything else is the default.
export function maxNodes(value) {
  if (!Number.isFinite(value)) return DEFAULTS.maxNodes;
  return Math.min(Math.max(Math.round(value), 1), MAX_NODES_LIMIT);
}

export function readState(search) {
  const params = new URLSearchParams(search);
  const list = (name, fallback) => {
    const values = params.getAll(name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
    return values.length ? values : fallback;
  };
  const counting = params.get("counting");
  const color = params.get("color");
  const level = params.get("level");
  return {
    seeds: list("seeds", DEFAULTS.seeds),
    hops: number(params.get("hops"), DEFAULTS.hops),
    from: number(params.get("from"), null),
    to: number(params.get("to"), null),
    minWeight: number(params.get("minWeight"), 0),
    maxNodes: maxNodes(number(params.get("maxNodes"), DEFAULTS.maxNodes)),
    counting: counting === "fractional" ? "fractional" : "full",
    level: LEVELS.includes(level) ? level : DEFAULTS.level,
    include: list("include", DEFAULTS.include).filter((t) => EDGE_TYPES.includes(t)),
    color: color === "community" ? "community" : "country",
    country: list("country", []),
    region: list("region", []),
    kind: list("kind", []),
    node: params.get("node"),
    pair: params.get("pair"),
  };
}

// The parameters of the export (and of the network fetched to draw it).
export function serverParams(state) {
  const params = new URLSearchParams();
  for (const seed of state.seeds) params.append("seeds", seed);
  params.set("hops", String(state.hops));
  if (state.from !== null) params.set("from", String(state.from));
  if (state.to !== null) params.set("to", String(state.to));
  if (state.minWeight) params.set("minWeight", String(state.minWeight));
  if (state.maxNodes !== DEFAULTS.maxNodes) params.set("maxNodes", String(state.maxNodes));
  params.set("counting", state.counting);
  if (state.level !== DEFAULTS.level) params.set("level", state.level);
  for (const type of state.include) params.append("include", type);
  return params;
}

export function pageParams(state) {
  const params = serverParams(state);
  if (state.color !== DEFAULTS.color) params.set("color", state.color);
  for (const name of ["country", "region", "kind"]) {
    for (const value of state[name]) params.append(name, value);
  }
  if (state.node) params.set("node", state.node);
  else if (state.pair) params.set("pair", state.pair);
  return params;
}

export function writeState(state) {
  const url = `${window.location.pathname}?${pageParams(state)}`;
  window.history.replaceState(null, "", url);
}
