/**
 * What a V8 heap snapshot holds, summed by kind: the self size of every node by type and name
 * (strings, numbers, arrays, Maps' tables, closures), plain objects by the names of their
 * properties (the engine's entries are all `Object`, told apart by their fields), and each
 * string, number and array by the field that first points at it (`{path,type,...}.hash`, a
 * Map's `table`), so that a path's bytes can be put down to the side that holds them.
 *
 *   node bench/heapsnapshot.mjs FILE.heapsnapshot [TOP] [PER]
 *
 * TOP (default 25) rows per table; PER (optional) divides every size by it (the paths of a
 * tree, to print bytes per path).
 */
import { readFileSync } from 'node:fs';

const [file, topArg, perArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node bench/heapsnapshot.mjs FILE.heapsnapshot [TOP] [PER]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const per = perArg === undefined ? null : Number(perArg);

const snapshot = JSON.parse(readFileSync(file, 'utf8'));
const { meta } = snapshot.snapshot;
const nodeFields = meta.node_fields;
const edgeFields = meta.edge_fields;
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const N = nodeFields.length;
const E = edgeFields.length;
const TYPE = nodeFields.indexOf('type');
const NAME = nodeFields.indexOf('name');
const SIZE = nodeFields.indexOf('self_size');
const EDGES = nodeFields.indexOf('edge_count');
const EDGE_TYPE = edgeFields.indexOf('type');
const EDGE_NAME = edgeFields.indexOf('name_or_index');
const EDGE_TO = edgeFields.indexOf('to_node');
const { nodes, edges, strings } = snapshot;
const count = nodes.length / N;

const typeOf = (node) => nodeTypes[nodes[node * N + TYPE]];
const nameOf = (node) => strings[nodes[node * N + NAME]];
const sizeOf = (node) => nodes[node * N + SIZE];

/** Each node's first edge (edges are stored node after node). */
const firstEdge = new Uint32Array(count + 1);
for (let node = 0, edge = 0; node < count; node++) {
  firstEdge[node] = edge;
  edge += nodes[node * N + EDGES] * E;
}
firstEdge[count] = edges.length;

const edgeName = (edge) => {
  const type = edgeTypes[edges[edge + EDGE_TYPE]];
  const value = edges[edge + EDGE_NAME];
  return type === 'element' || type === 'hidden' ? `[${type}]` : String(strings[value]);
};

/** A plain object's kind: its constructor and the names of its own properties. */
const shapes = new Map();
const shapeOf = (node) => {
  let shape = shapes.get(node);
  if (shape !== undefined) return shape;
  if (typeOf(node) !== 'object') shape = `${typeOf(node)}:${nameOf(node)}`;
  else {
    const names = [];
    for (let edge = firstEdge[node]; edge < firstEdge[node + 1]; edge += E) {
      if (edgeTypes[edges[edge + EDGE_TYPE]] === 'property') {
        const name = strings[edges[edge + EDGE_NAME]];
        if (name !== '__proto__' && name !== 'map' && !name.startsWith('<')) names.push(name);
      }
    }
    const shown = names.length > 8 ? [...names.slice(0, 8), '...'] : names;
    shape = `${nameOf(node)}{${shown.join(',')}}`;
  }
  shapes.set(node, shape);
  return shape;
};

/** Strings, numbers and internal arrays: by the first object field that points at them. */
const OWNED = new Set(['string', 'concatenated string', 'sliced string', 'number', 'array', 'hidden']);
const owner = new Int32Array(count).fill(-1);
const ownerEdge = new Int32Array(count).fill(-1);
for (let node = 0; node < count; node++) {
  const type = typeOf(node);
  if (type === 'array' || type === 'hidden' || type === 'code' || type === 'synthetic') continue;
  for (let edge = firstEdge[node]; edge < firstEdge[node + 1]; edge += E) {
    const kind = edgeTypes[edges[edge + EDGE_TYPE]];
    if (kind === 'weak' || kind === 'shortcut') continue;
    const to = edges[edge + EDGE_TO] / N;
    if (owner[to] === -1 && OWNED.has(typeOf(to))) {
      owner[to] = node;
      ownerEdge[to] = edge;
    }
  }
}

const byType = new Map();
const byShape = new Map();
const byOwner = new Map();
let total = 0;
const add = (map, key, size) => {
  const row = map.get(key) ?? { count: 0, size: 0 };
  row.count += 1;
  row.size += size;
  map.set(key, row);
};
for (let node = 0; node < count; node++) {
  const size = sizeOf(node);
  total += size;
  const type = typeOf(node);
  const name = type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number' ? '' : nameOf(node);
  add(byType, `${type}${name === '' ? '' : ` ${name.slice(0, 60)}`}`, size);
  if (type === 'object' || type === 'closure') add(byShape, shapeOf(node), size);
  if (owner[node] !== -1) add(byOwner, `${shapeOf(owner[node])}.${edgeName(ownerEdge[node])} -> ${type}`, size);
}

const mb = (bytes) => (bytes / 1e6).toFixed(1);
const show = (title, map) => {
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(`${'MB'.padStart(8)} ${'count'.padStart(10)}${per === null ? '' : ` ${'B/path'.padStart(7)}`}  kind\n`);
  for (const [key, row] of [...map].sort((a, b) => b[1].size - a[1].size).slice(0, top)) {
    const perPath = per === null ? '' : ` ${(row.size / per).toFixed(1).padStart(7)}`;
    process.stdout.write(`${mb(row.size).padStart(8)} ${String(row.count).padStart(10)}${perPath}  ${key}\n`);
  }
};
process.stdout.write(`${file}: ${count} nodes, ${mb(total)} MB self size in all${per === null ? '' : `, ${(total / per).toFixed(0)} B per path (${per})`}\n`);
show('By node type and name (self size)', byType);
show('Objects by constructor and properties', byShape);
show('Strings, numbers and arrays by the field that first points at them', byOwner);
