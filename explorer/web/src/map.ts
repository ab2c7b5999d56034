// An SVG map: Natural Earth country outlines (world-atlas) under H3 hexes
// (h3-js boundaries) in Web Mercator. One <path data-hex> per hexagon, so a
// test can count what is drawn without reading pixels.
import { cellToBoundary, cellToParent, cellToLatLng, getResolution } from "h3-js";
import { fetchEarly } from "./api";
import { basemapURL } from "./preload";

export type Item = {
  cell: string; // H3 res-12 cell, lower-case hex
  hotspot?: string; // address
  name?: string;
  scale?: number; // HIP-17 scale 0..1, undefined while unknown
  verdict?: "valid" | "invalid" | "none"; // last beacon
  title?: string;
};

type XY = [number, number];
const SVGNS = "http://www.w3.org/2000/svg";
const EARTH_M = 40075016.686;
// H3's mean hexagon edge length per resolution, in metres.
const EDGE_M = [1281256, 483057, 182513, 68979, 26072, 9854, 3725, 1406, 531.4, 200.8, 75.9, 28.7, 10.8, 4.1, 1.5, 0.6];
const HEX: XY[] = Array.from({ length: 6 }, (_, i) => [Math.cos((Math.PI / 3) * i + Math.PI / 6), Math.sin((Math.PI / 3) * i + Math.PI / 6)]);

export function project(lat: number, lng: number): XY {
  const s = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180);
  return [(lng + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
}

function unproject(x: number, y: number): [number, number] {
  const lng = x * 360 - 180;
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;
  return [lat, lng];
}

// --- basemap --------------------------------------------------------------
// Natural Earth's country outlines from world-atlas, as the TopoJSON arcs
// themselves (coastlines and borders, each shared border once), projected and
// quantized at build time (tools/basemap.mjs): the page reads typed arrays,
// so the 1:10m outlines load in milliseconds.

// Ring: one arc's points (i32, 2^-30 world units) and its bounding box in
// world units.
type Ring = { xy: Int32Array; minx: number; miny: number; maxx: number; maxy: number };
const Q = 2 ** -30;
const basemaps: Record<string, Promise<Ring[]>> = {};

// decodeBasemap reads tools/basemap.mjs's format: projected arcs as i32
// world coordinates (2^-30 units).
// decodeBasemap reads tools/basemap.mjs's format without copying a point.
export function decodeBasemap(buf: ArrayBuffer): Ring[] {
  const head = new Uint32Array(buf, 0, 2);
  if (head[0] !== 0x324d4250) throw new Error("basemap: not PBM2"); // "PBM2" little-endian
  const n = head[1];
  const meta = new Int32Array(buf, 8, 5 * n);
  const xy = new Int32Array(buf, 8 + 20 * n);
  const out: Ring[] = [];
  let o = 0;
  for (let a = 0; a < n; a++) {
    const len = meta[5 * a] * 2;
    out.push({ xy: xy.subarray(o, o + len), minx: meta[5 * a + 1] * Q, miny: meta[5 * a + 2] * Q, maxx: meta[5 * a + 3] * Q, maxy: meta[5 * a + 4] * Q });
    o += len;
  }
  return out;
}

export function loadBasemap(level: "50m" | "10m"): Promise<Ring[]> {
  if (!basemaps[level]) {
    basemaps[level] = fetchEarly(basemapURL(level))
      .then((r) => {
        if (!r.ok) throw new Error("basemap " + level + ": " + r.status);
        return r.arrayBuffer();
      })
      .then(decodeBasemap);
  }
  return basemaps[level];
}

// --- the map ----------------------------------------------------------------

export type MapOptions = {
  res?: number; // pin the resolution: 12 (one hex per hotspot), 8 or 6
  height?: number;
  minHexPx?: number; // res-12 hexes are ~20 m across: drawn at least this big
  onHex?: (cell: string, res: number, items: Item[]) => void;
  fitCells?: string[]; // fit the view to these cells instead of the items
};

type Drawn = { cell: string; items: Item[]; pts: XY[]; cx: number; cy: number };

export class HexMap {
  svg: SVGSVGElement;
  private base: SVGGElement;
  private hexes: SVGGElement;
  private labels: SVGGElement;
  private items: Item[] = [];
  private geom = new Map<string, { pts: XY[] | null; cx: number; cy: number; r: number }>();
  private cx = 0.5;
  private cy = 0.5;
  private k = 1024; // px per world unit
  private w = 800;
  private h = 500;
  private rings: Ring[] = [];
  private ringsLevel = "";
  private raf = 0;
  res = 12;
  onRender?: (res: number) => void;
  timings = { fitMs: 0, basemapMs: 0, renderMs: 0 };

  constructor(private host: HTMLElement, private opt: MapOptions = {}) {
    this.svg = document.createElementNS(SVGNS, "svg") as SVGSVGElement;
    this.svg.setAttribute("class", "map");
    this.svg.id = "map";
    this.base = this.g("basemap");
    this.hexes = this.g("hexes");
    this.labels = this.g("labels");
    host.appendChild(this.svg);
    this.w = Math.max(200, host.clientWidth || 800);
    this.h = opt.height || 500;
    this.svg.setAttribute("width", String(this.w));
    this.svg.setAttribute("height", String(this.h));
    this.svg.setAttribute("viewBox", `0 0 ${this.w} ${this.h}`);
    this.interact();
  }

  private g(cls: string): SVGGElement {
    const g = document.createElementNS(SVGNS, "g") as SVGGElement;
    g.setAttribute("class", cls);
    this.svg.appendChild(g);
    return g;
  }

  // cellGeom: a cell's centre in world units and its approximate radius
  // (from the resolution's mean edge length); the exact boundary only when
  // asked, since a hex drawn at its minimum size does not need it.
  private cellGeom(cell: string) {
    let g = this.geom.get(cell);
    if (!g) {
      const [clat, clng] = cellToLatLng(cell);
      const [cx, cy] = project(clat, clng);
      const edgeM = EDGE_M[getResolution(cell)] ?? 10;
      const r = edgeM / (EARTH_M * Math.cos((clat * Math.PI) / 180));
      g = { cx, cy, r, pts: null };
      this.geom.set(cell, g);
    }
    return g;
  }

  private boundary(cell: string): XY[] {
    const g = this.cellGeom(cell);
    if (!g.pts) g.pts = cellToBoundary(cell).map(([lat, lng]) => project(lat, lng));
    return g.pts;
  }

  // setItems replaces the hexes and fits the view to them.
  async setItems(items: Item[]): Promise<void> {
    const tFit = performance.now();
    this.items = items;
    const cells = this.opt.fitCells && this.opt.fitCells.length ? this.opt.fitCells : items.map((i) => i.cell);
    let minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
    for (const c of cells) {
      const g = this.cellGeom(c);
      if (g.cx - g.r < minx) minx = g.cx - g.r;
      if (g.cx + g.r > maxx) maxx = g.cx + g.r;
      if (g.cy - g.r < miny) miny = g.cy - g.r;
      if (g.cy + g.r > maxy) maxy = g.cy + g.r;
    }
    if (!isFinite(minx)) {
      // nothing asserted: the whole world
      minx = 0; maxx = 1; miny = 0.2; maxy = 0.8;
    }
    const pad = 0.15;
    const spanx = Math.max(maxx - minx, 2e-6), spany = Math.max(maxy - miny, 2e-6);
    this.k = Math.min(this.w / (spanx * (1 + 2 * pad)), this.h / (spany * (1 + 2 * pad)));
    this.cx = (minx + maxx) / 2;
    this.cy = (miny + maxy) / 2;
    const t0 = performance.now();
    await this.ensureBasemap();
    const t1 = performance.now();
    this.render();
    this.timings = { fitMs: t0 - tFit, basemapMs: t1 - t0, renderMs: performance.now() - t1 };
  }

  private mpp(): number {
    const [lat] = unproject(this.cx, this.cy);
    return (EARTH_M * Math.cos((lat * Math.PI) / 180)) / this.k;
  }

  private async ensureBasemap() {
    const level = this.mpp() < 2000 ? "10m" : "50m";
    if (level === this.ringsLevel) return;
    try {
      this.rings = await loadBasemap(level);
      this.ringsLevel = level;
    } catch {
      this.rings = [];
    }
  }

  private px(x: number, y: number): XY {
    return [(x - this.cx) * this.k + this.w / 2, (y - this.cy) * this.k + this.h / 2];
  }

  update(items: Item[]) {
    this.items = items;
    this.schedule();
  }

  private schedule() {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.render();
    });
  }

  render() {
    const mpp = this.mpp();
    // By zoom, unless pinned: each hotspot's own hex while close enough or
    // while few enough are in view to tell apart; rolled up to res 8, then
    // res 6, with counts, as the view widens.
    this.res = this.opt.res ?? (mpp <= 40 || this.visible().length <= 2000 ? 12 : mpp <= 600 ? 8 : 6);
    // basemap: rings in view, points closer than a pixel dropped
    const x0 = this.cx - this.w / 2 / this.k, x1 = this.cx + this.w / 2 / this.k;
    const y0 = this.cy - this.h / 2 / this.k, y1 = this.cy + this.h / 2 / this.k;
    const parts: string[] = [];
    for (const r of this.rings) {
      if (r.maxx < x0 || r.minx > x1 || r.maxy < y0 || r.miny > y1) continue;
      let d = "", lx = NaN, ly = NaN;
      const p = r.xy;
      for (let i = 0; i < p.length; i += 2) {
        const sx = (p[i] * Q - this.cx) * this.k + this.w / 2;
        const sy = (p[i + 1] * Q - this.cy) * this.k + this.h / 2;
        const last = i + 2 >= p.length;
        if (i > 0 && !last && Math.abs(sx - lx) < 0.7 && Math.abs(sy - ly) < 0.7) continue;
        d += (d ? "L" : "M") + sx.toFixed(1) + "," + sy.toFixed(1);
        lx = sx;
        ly = sy;
      }
      if (d) parts.push(d);
    }
    this.base.innerHTML = parts.length ? `<path d="${parts.join("")}"/>` : "";

    // hexes
    const groups = new Map<string, Item[]>();
    for (const it of this.items) {
      const cell = this.res >= 12 ? it.cell : cellToParent(it.cell, this.res);
      if (this.res >= 12) {
        groups.set(cell + "/" + (it.hotspot || groups.size), [it]);
      } else {
        const l = groups.get(cell);
        if (l) l.push(it);
        else groups.set(cell, [it]);
      }
    }
    const minPx = this.opt.minHexPx ?? 7;
    // A hexagon of minPx drawn relative to its first corner: two numbers a
    // hex instead of twelve (10,000 of them on a city's map).
    const firstX = HEX[0][0] * minPx, firstY = HEX[0][1] * minPx;
    const minHex = HEX.slice(1).map(([x, y], i) => "l" + ((x - HEX[i][0]) * minPx).toFixed(1) + "," + ((y - HEX[i][1]) * minPx).toFixed(1)).join("") + "z";
    const titles = groups.size <= 3000; // thousands of <title>s cost more than they help
    const hexParts: string[] = [];
    const labelParts: string[] = [];
    for (const [key, its] of groups) {
      const cell = key.split("/")[0];
      const g = this.cellGeom(cell);
      const [ccx, ccy] = this.px(g.cx, g.cy);
      const rad = g.r * this.k;
      let d: string;
      if (rad < minPx) {
        // smaller than minPx on screen: a hexagon of minPx around the centre
        d = "M" + (ccx + firstX).toFixed(1) + "," + (ccy + firstY).toFixed(1) + minHex;
      } else {
        const pts = this.boundary(cell).map(([x, y]) => this.px(x, y));
        d = "M" + pts.map(([x, y]) => x.toFixed(1) + "," + y.toFixed(1)).join("L") + "Z";
      }
      if (this.res >= 12) {
        const it = its[0];
        const cls = "hex v-" + (it.verdict || "unknown");
        hexParts.push(
          `<path class="${cls}" d="${d}" fill="${scaleColour(it.scale)}" data-hex="${cell}" data-res="12" data-hotspot="${attr(it.hotspot)}" data-verdict="${it.verdict || "unknown"}"${it.scale === undefined ? "" : ` data-scale="${it.scale}"`}>${titles ? `<title>${attr(it.title || it.name || cell)}</title>` : ""}</path>`,
        );
      } else {
        const n = its.length;
        const known = its.filter((i) => i.scale !== undefined);
        const mean = known.length ? known.reduce((a, i) => a + (i.scale as number), 0) / known.length : undefined;
        const valid = its.filter((i) => i.verdict === "valid").length;
        hexParts.push(
          `<path class="hex agg" d="${d}" fill="${scaleColour(mean)}" data-hex="${cell}" data-res="${this.res}" data-count="${n}"><title>res ${this.res} ${cell}: ${n} hotspot${n === 1 ? "" : "s"}, ${valid} with a valid last beacon</title></path>`,
        );
        if (rad > 9) labelParts.push(`<text x="${ccx.toFixed(1)}" y="${(ccy + 4).toFixed(1)}">${n}</text>`);
      }
    }
    this.hexes.innerHTML = hexParts.join("");
    this.labels.innerHTML = labelParts.join("");
    this.svg.dataset.res = String(this.res);
    this.svg.dataset.hexes = String(groups.size);
    this.svg.dataset.items = String(this.items.length);
    this.svg.dataset.rendered = "1";
    this.onRender?.(this.res);
  }

  // visible returns the items whose hex centre is in view.
  visible(): Item[] {
    return this.items.filter((it) => {
      const g = this.cellGeom(it.cell);
      const [x, y] = this.px(g.cx, g.cy);
      return x >= 0 && y >= 0 && x <= this.w && y <= this.h;
    });
  }

  zoom(f: number, at?: XY) {
    const [ax, ay] = at || [this.w / 2, this.h / 2];
    const wx = this.cx + (ax - this.w / 2) / this.k;
    const wy = this.cy + (ay - this.h / 2) / this.k;
    this.k = Math.max(256, Math.min(this.k * f, 2 ** 30));
    this.cx = wx - (ax - this.w / 2) / this.k;
    this.cy = wy - (ay - this.h / 2) / this.k;
    this.ensureBasemap().then(() => this.schedule());
    this.schedule();
  }

  private interact() {
    let drag: XY | null = null;
    let moved = false;
    this.svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = this.svg.getBoundingClientRect();
      this.zoom(e.deltaY < 0 ? 1.25 : 0.8, [e.clientX - r.left, e.clientY - r.top]);
    }, { passive: false });
    this.svg.addEventListener("pointerdown", (e) => {
      drag = [e.clientX, e.clientY];
      moved = false;
    });
    window.addEventListener("pointerup", () => (drag = null));
    this.svg.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const dx = e.clientX - drag[0], dy = e.clientY - drag[1];
      if (Math.abs(dx) + Math.abs(dy) > 2) moved = true;
      this.cx -= dx / this.k;
      this.cy -= dy / this.k;
      drag = [e.clientX, e.clientY];
      this.schedule();
    });
    this.svg.addEventListener("click", (e) => {
      if (moved) return;
      const t = e.target as Element;
      const cell = t.getAttribute && t.getAttribute("data-hex");
      if (!cell || !this.opt.onHex) return;
      const res = Number(t.getAttribute("data-res"));
      const hs = t.getAttribute("data-hotspot");
      const its = res >= 12 ? this.items.filter((i) => i.hotspot === hs) : this.items.filter((i) => cellToParent(i.cell, res) === cell);
      this.opt.onHex(cell, res, its);
    });
  }
}

const needsEscape = /[&<>"]/;

function attr(s: unknown): string {
  const str = String(s ?? "");
  if (!needsEscape.test(str)) return str;
  return str.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

// scaleColour: HIP-17 scale 0 (red) .. 1 (green); grey while unknown.
export function scaleColour(s: number | undefined): string {
  if (s === undefined || isNaN(s)) return "#9aa4ae";
  const t = Math.max(0, Math.min(1, s));
  const hue = Math.round(t * 130);
  return `hsl(${hue},70%,48%)`;
}
