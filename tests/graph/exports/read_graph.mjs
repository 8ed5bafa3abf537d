// Reads one exported network file with the JavaScript readers of the field, as they are installed
// from package-lock.json, and prints what they found as JSON (tests/graph/exports/test_readers.py).
//
//   node tests/graph/exports/read_graph.mjs FILE
//
// FILE.gexf: graphology-gexf; FILE.graphml: graphology-graphml; FILE.cyjs: cytoscape (headless,
// from the file's elements). Each graph read by graphology is then given to cytoscape too, as
// elements, which must take its node and edge ids and attributes as they are. Prints
// {"reader", "nodes", "edges", "cytoscape": {"nodes", "edges"}, "iris": {id: IRI},
//  "edgeList": {id: {"source", "target", "weight", "years": {year: weight}}},
//  "nodeTypes": {attribute: typeof}, "edgeTypes": {attribute: typeof}, "graph": {attribute: value}}.
// Options are never passed to the readers: a file they refuse is an error (exit status 1).
import { readFileSync } from "node:fs";
import { extname } from "node:path";

import cytoscape from "cytoscape";
import Graph from "graphology";
import gexf from "graphology-gexf";
import graphml from "graphology-graphml";

const YEARLY = /^weight_(\d{4})$/; // one attribute per year in both XML formats

function typesOf(attributes) {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, typeof value]));
}

function yearsOf(attributes) {
  const years = {};
  for (const [name, value] of Object.entries(attributes)) {
    const match = YEARLY.exec(name);
    if (match) years[match[1]] = value;
  }
  return years;
}

function fromGraphology(graph, reader) {
  const iris = {};
  graph.forEachNode((key, attributes) => {
    iris[key] = attributes.iri ?? key; // GraphML: the IRI is a data key; GEXF: it is the node id
  });
  const edgeList = {};
  graph.forEachEdge((key, attributes, source, target) => {
    edgeList[key] = { source, target, weight: attributes.weight, years: yearsOf(attributes) };
  });
  const firstNode = graph.nodes()[0];
  const firstEdge = graph.edges()[0];
  const cy = cytoscape({ headless: true });
  cy.add([
    ...graph.mapNodes((key, attributes) => ({ group: "nodes", data: { ...attributes, id: key } })),
    ...graph.mapEdges((key, attributes, source, target) => ({
      group: "edges",
      data: { ...attributes, id: key, source, target },
    })),
  ]);
  return {
    reader,
    nodes: graph.order,
    edges: graph.size,
    cytoscape: { nodes: cy.nodes().length, edges: cy.edges().length },
    iris,
    edgeList,
    nodeTypes: firstNode === undefined ? {} : typesOf(graph.getNodeAttributes(firstNode)),
    edgeTypes: firstEdge === undefined ? {} : typesOf(graph.getEdgeAttributes(firstEdge)),
    graph: graph.getAttributes(),
  };
}

function fromCytoscape(document) {
  const cy = cytoscape({ headless: true, elements: document.elements });
  const iris = {};
  cy.nodes().forEach((node) => {
    iris[node.id()] = node.data("id");
  });
  const edgeList = {};
  cy.edges().forEach((edge) => {
    const data = edge.data();
    edgeList[edge.id()] = { source: data.source, target: data.target, weight: data.weight, years: data.years };
  });
  const first = (collection) => (collection.length ? typesOf(collection[0].data()) : {});
  return {
    reader: "cytoscape",
    nodes: cy.nodes().length,
    edges: cy.edges().length,
    cytoscape: { nodes: cy.nodes().length, edges: cy.edges().length },
    iris,
    edgeList,
    nodeTypes: first(cy.nodes()),
    edgeTypes: first(cy.edges()),
    graph: document.data,
  };
}

const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: node read_graph.mjs FILE.{gexf,graphml,cyjs}");
  process.exit(2);
}
const text = readFileSync(file, "utf8");
const readers = {
  ".gexf": () => fromGraphology(gexf.parse(Graph, text), "graphology-gexf"),
  ".graphml": () => fromGraphology(graphml.parse(Graph, text), "graphology-graphml"),
  ".cyjs": () => fromCytoscape(JSON.parse(text)),
};
const read = readers[extname(file)];
if (!read) {
  console.error(`${file}: not a .gexf, .graphml or .cyjs file`);
  process.exit(2);
}
try {
  process.stdout.write(JSON.stringify(read()));
} catch (error) {
  console.error(`${file}: ${error.message}`);
  process.exit(1);
}
