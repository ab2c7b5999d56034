// Converts world-atlas's Natural Earth TopoJSON (countries-*.json) into the
// explorer's basemap: every arc (coastlines and borders, a shared border
// once) decoded, projected to Web Mercator world units (0..1, as
// src/map.ts's project) and quantized to 2^-30 of the world (4 cm), so the
// page reads typed arrays instead of parsing and projecting half a million
// points. Deterministic: same input, same bytes.
//
//   node tools/basemap.mjs IN.json OUT.bin
//
// Format (little-endian): "PBM2", u32 arcs; per arc u32 points and its
// bounding box as i32 minx, miny, maxx, maxy; then each arc's points as
// i32 x, i32 y.
import { readFileSync, writeFileSync } from "node:fs";

const [, , input, output] = process.argv;
const topo = JSON.parse(readFileSync(input, "utf8"));
const Q = 2 ** 30;

function project(lat, lng) {
  const s = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180);
  return [(lng + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
}

const [sx, sy] = topo.transform.scale;
const [tx, ty] = topo.transform.translate;
const arcs = [];
let total = 0;
for (const arc of topo.arcs) {
  let qx = 0, qy = 0;
  const pts = [];
  let lx = NaN, ly = NaN;
  for (const [dx, dy] of arc) {
    qx += dx;
    qy += dy;
    const [x, y] = project(qy * sy + ty, qx * sx + tx);
    const ix = Math.round(x * Q), iy = Math.round(y * Q);
    if (ix === lx && iy === ly) continue;
    pts.push(ix, iy);
    lx = ix;
    ly = iy;
  }
  if (pts.length >= 4) {
    arcs.push(pts);
    total += pts.length / 2;
  }
}
// Per arc: point count and bounding box, so the page looks at the points of
// the arcs in view only.
const buf = Buffer.alloc(8 + 20 * arcs.length + 8 * total);
buf.write("PBM2", 0, "latin1");
buf.writeUInt32LE(arcs.length, 4);
let off = 8;
for (const a of arcs) {
  let minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
  for (let i = 0; i < a.length; i += 2) {
    minx = Math.min(minx, a[i]);
    maxx = Math.max(maxx, a[i]);
    miny = Math.min(miny, a[i + 1]);
    maxy = Math.max(maxy, a[i + 1]);
  }
  buf.writeUInt32LE(a.length / 2, off);
  buf.writeInt32LE(minx, off + 4);
  buf.writeInt32LE(miny, off + 8);
  buf.writeInt32LE(maxx, off + 12);
  buf.writeInt32LE(maxy, off + 16);
  off += 20;
}
for (const a of arcs) {
  for (const v of a) {
    buf.writeInt32LE(v, off);
    off += 4;
  }
}
writeFileSync(output, buf);
console.log(`${output}: ${arcs.length} arcs, ${total} points, ${buf.length} bytes`);
