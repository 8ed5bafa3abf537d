// Colours: a fixed one per ASEAN country and France, a stable hashed one for other countries,
// a palette for communities; edges by type.

const FIXED = {
  FR: "#1f4e9c", // France (the CNRS and its labs)
  SG: "#d62728",
  VN: "#ff7f0e",
  TH: "#2ca02c",
  MY: "#9467bd",
  ID: "#8c564b",
  PH: "#e377c2",
  KH: "#17becf",
  LA: "#bcbd22",
  MM: "#7f7f7f",
  BN: "#aec7e8",
  TL: "#ffbb78",
};
// Tableau-like tones, none of them one of the fixed colours above.
const PALETTE = [
  "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#86bcb6",
  "#d37295", "#a0cbe8", "#8cd17d", "#f1ce63", "#499894", "#fabfd2",
];
export const UNKNOWN = "#c8c8c8";
export const EDGE_COLORS = { copublication: "#5b8bd0", instrument: "#e0892b", hierarchy: "#b5b5b5" };

function hash(text) {
  let h = 0;
  for (let i = 0; i < text.length; i += 1) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}

export function countryColor(code) {
  if (!code) return UNKNOWN;
  return FIXED[code] || PALETTE[hash(code) % PALETTE.length];
}

export function communityColor(community) {
  if (community === undefined || community === null) return UNKNOWN;
  return PALETTE[community % PALETTE.length];
}
