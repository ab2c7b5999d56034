// pocd coverage explorer: hash routes over the node's public REST API.
//   #/                 home: chain numbers and the map of every asserted hotspot
//   #/map?res=12|8|6   the map alone, resolution pinned
//   #/hotspot/ID       a hotspot by three-word name or address
//   #/hex/CELL         an H3 cell: HIP-17 scale and the counts behind it
//   #/epoch/N          an epoch's emission, split and payout
//   #/owner/ADDR       an owner's hotspots and rewards
import { isValidCell, getResolution, cellToLatLng, cellToParent, cellToChildren } from "h3-js";
import { ApiError, esc, get, getAll, getText, pool, src } from "./api";
import { FLEET_PAGE, FLEET_PARALLEL, FLEET_URL, fleetPageURL, routeOf } from "./preload";
import { b64hex, e4, group, hnt, int, nsTime, pct, reason, short, side, tenths, u64hex, udbm } from "./fmt";
import { HexMap, Item, loadBasemap, scaleColour } from "./map";

const app = document.getElementById("app")!;
let generation = 0; // a newer route abandons an older one's late answers

class UserError extends Error {}

// ---------------------------------------------------------------- helpers

function page(html: string) {
  app.innerHTML = html;
}

function section(title: string, body: string, id = ""): string {
  return `<section${id ? ` id="${id}"` : ""}><h2>${esc(title)}</h2>${body}</section>`;
}

function kv(rows: [string, string][]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join("")}</table>`;
}

function errorBox(msg: string, detail = ""): string {
  return `<div class="error" role="alert"><strong>${esc(msg)}</strong>${detail ? `<div class="detail">${detail}</div>` : ""}</div>`;
}

function note(html: string): string {
  return `<p class="note">${html}</p>`;
}

function apiDetail(e: unknown): string {
  if (e instanceof ApiError) return `The node answered ${e.status || "nothing"} for ${src("GET " + e.url, e.url)}: ${esc(e.detail)}`;
  return esc(String(e));
}

const NAME_RE = /^[a-z]+-[a-z]+-[a-z]+$/;
const B58 = /^[1-9A-HJ-NP-Za-km-z]+$/;

function hotspotLink(addr: string, label?: string): string {
  return `<a href="#/hotspot/${encodeURIComponent(addr)}" data-link-hotspot="${esc(addr)}">${esc(label || short(addr, 8))}</a>`;
}

function verdictOf(r: string): "valid" | "invalid" | "none" {
  return !r || r === "REASON_UNSPECIFIED" ? "none" : r === "REASON_VALID" ? "valid" : "invalid";
}

function badge(r: string): string {
  const v = verdictOf(r);
  return `<span class="badge ${v}">${esc(reason(r) || "open")}</span>`;
}

function cellLatLng(cell: string): string {
  const [lat, lng] = cellToLatLng(cell);
  return `${lat.toFixed(5)}, ${lng.toFixed(5)}`;
}

function legend(): string {
  const stops = [0, 0.25, 0.5, 0.75, 1].map((s) => `<span class="swatch" style="background:${scaleColour(s)}"></span>${s}`).join(" ");
  return `<div class="legend">fill: HIP-17 scale ${stops} <span class="swatch" style="background:${scaleColour(undefined)}"></span>not loaded ·
    outline: <span class="ol valid"></span>last beacon valid <span class="ol invalid"></span>invalid <span class="ol none"></span>no beacon yet</div>`;
}

// ---------------------------------------------------------------- the map

// loadFleet reads every asserted hotspot's location, FLEET_PARALLEL pages at
// a time by offset, until a page without a next key ends the list. A node
// that serves shorter pages than asked (a proxy's or a future cap) is
// followed by key from that page on, one page at a time. A hotspot asserted
// or moved between two requests can shift the offsets by one: duplicates are
// dropped, and one missing hotspot shows on the next load.
async function loadFleet(): Promise<{ items: Item[]; urls: string[]; truncated: boolean }> {
  const out: Item[] = [];
  const urls: string[] = [];
  const seen = new Set<string>();
  const add = (locations: any[]) => {
    for (const h of locations) {
      if (seen.has(h.address)) continue;
      seen.add(h.address);
      out.push({ cell: h.location, hotspot: h.address, name: h.name, title: `${h.name} (${h.address})` });
    }
  };
  const maxPages = 200;
  let key = "";
  for (let first = 0; first < maxPages; first += FLEET_PARALLEL) {
    const pageURLs = Array.from({ length: FLEET_PARALLEL }, (_, i) => fleetPageURL(first + i));
    const bodies = await Promise.all(pageURLs.map((u) => get(u)));
    for (let i = 0; i < bodies.length; i++) {
      const locations: any[] = bodies[i].locations || [];
      urls.push(pageURLs[i]);
      add(locations);
      const next = bodies[i].pagination && bodies[i].pagination.next_key ? bodies[i].pagination.next_key : "";
      if (!next) return { items: out, urls, truncated: false };
      // the node pages shorter than asked: offsets no longer line up
      if (locations.length < FLEET_PAGE) {
        key = next;
        break;
      }
    }
    if (key) break;
  }
  if (key) {
    const rest = await getAll(FLEET_URL, "locations", FLEET_PAGE, maxPages - urls.length, key);
    add(rest.items);
    urls.push(...rest.urls);
    key = rest.next;
  }
  return { items: out, urls, truncated: key !== "" || urls.length >= maxPages };
}

// enrich colours the hexes in view: the HIP-17 scale of each cell and the
// verdict of each hotspot's last beacon (two REST calls per hotspot, so only
// while at most maxEnrich are in view).
const scaleCache = new Map<string, number>();
const verdictCache = new Map<string, "valid" | "invalid" | "none">();
const maxEnrich = 400;

async function enrich(map: HexMap, items: Item[], gen: number, status: HTMLElement) {
  const apply = () => {
    for (const it of items) {
      if (scaleCache.has(it.cell)) it.scale = scaleCache.get(it.cell);
      if (it.hotspot && verdictCache.has(it.hotspot)) it.verdict = verdictCache.get(it.hotspot);
    }
    map.update(items);
  };
  apply();
  const vis = map.visible();
  if (vis.length > maxEnrich) {
    status.innerHTML = `${group(String(vis.length))} hotspots in view: colours are loaded for at most ${maxEnrich} at a time (zoom in).`;
    return;
  }
  const todo = vis.filter((it) => !scaleCache.has(it.cell) || (it.hotspot && !verdictCache.has(it.hotspot)));
  if (!todo.length) return;
  status.textContent = `loading scale and last verdict of ${todo.length} hotspots…`;
  let done = 0;
  await pool(todo, 6, async (it) => {
    if (gen !== generation) return;
    if (!scaleCache.has(it.cell)) {
      try {
        const hs = await get(`/pocd/poc/v1/hex-scale/${it.cell}`);
        scaleCache.set(it.cell, Number(hs.scale) / 10000);
      } catch {
        scaleCache.set(it.cell, NaN);
      }
    }
    if (it.hotspot && !verdictCache.has(it.hotspot)) {
      const p = await get(`/pocd/poc/v1/hotspots/${it.hotspot}/pocs?pagination.limit=1&pagination.reverse=true`);
      verdictCache.set(it.hotspot, p.pocs && p.pocs.length ? verdictOf(p.pocs[0].reason) : "none");
    }
    if (++done % 25 === 0) apply();
  });
  if (gen !== generation) return;
  apply();
  status.textContent = `colours: HIP-17 scale from /pocd/poc/v1/hex-scale/{cell}, outline from the last of /pocd/poc/v1/hotspots/{address}/pocs.`;
}

async function mapBlock(host: HTMLElement, res: number | undefined, gen: number): Promise<{ asserted: number; urls: string[] }> {
  const t0 = performance.now();
  // The 1:10m outlines (the zoom of a city's fleet) load while the hotspots page in.
  loadBasemap("10m").catch(() => undefined);
  const fleet = await loadFleet();
  const fetchMs = performance.now() - t0;
  if (gen !== generation) return { asserted: 0, urls: [] };
  host.innerHTML = `<div class="maptools">
      <button data-zoom="in" title="zoom in">+</button><button data-zoom="out" title="zoom out">−</button>
      <span>resolution: <a href="#/map?res=12">12 (each hotspot)</a> · <a href="#/map?res=8">8</a> · <a href="#/map?res=6">6</a> · <a href="#/map">by zoom</a> (hotspots' own hexes while at most 2,000 are in view)</span>
      <span class="shown"></span></div><div class="mapbox"></div>${legend()}<p class="note mapstatus"></p>`;
  const box = host.querySelector(".mapbox") as HTMLElement;
  const status = host.querySelector(".mapstatus") as HTMLElement;
  const shown = host.querySelector(".shown") as HTMLElement;
  const map = new HexMap(box, {
    res,
    height: 520,
    onHex: (cell, r, its) => {
      if (r >= 12 && its[0]?.hotspot) location.hash = "#/hotspot/" + its[0].hotspot;
      else location.hash = "#/hex/" + cell;
    },
  });
  let t: number | undefined;
  map.onRender = (r) => {
    shown.textContent = ` showing res ${r}: ${map.svg.dataset.hexes} hexes for ${fleet.items.length} asserted hotspots` +
      (fleet.truncated ? ` (the listing stopped after ${fleet.urls.length} pages: not every hotspot is drawn)` : "");
    clearTimeout(t);
    t = window.setTimeout(() => enrich(map, fleet.items, gen, status), 300);
  };
  host.querySelectorAll("button[data-zoom]").forEach((b) =>
    b.addEventListener("click", () => map.zoom((b as HTMLElement).dataset.zoom === "in" ? 1.6 : 0.625)),
  );
  const tSet = performance.now();
  await map.setItems(fleet.items);
  const tDrawn = performance.now();
  // until the frame with the hexes has been laid out and painted
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const paintMs = performance.now() - tDrawn;
  const setupMs = tSet - t0 - fetchMs;
  // For the browser tests and the benchmark (docs/benchmarks.md).
  (window as any).__explorer = { mapRenderedMs: performance.now(), startMs: t0, mapMs: performance.now() - t0, fetchMs, setupMs, ...map.timings, paintMs, hexes: Number(map.svg.dataset.hexes) };
  map.svg.dataset.asserted = String(fleet.items.length);
  return { asserted: fleet.items.length, urls: fleet.urls };
}

// ---------------------------------------------------------------- pages

async function home(gen: number, res?: number, mapOnly = false) {
  page(`<h1>Coverage</h1><div id="stats"></div><div id="mapblock"><p class="loading">loading the fleet…</p></div><div id="epochs"></div><div id="ingest"></div>`);
  const statsEl = document.getElementById("stats")!;
  const mapEl = document.getElementById("mapblock")!;
  const mapP = mapBlock(mapEl, res, gen).catch((e) => {
    mapEl.innerHTML = errorBox("The map could not be drawn.", apiDetail(e));
    return null;
  });
  if (mapOnly) {
    statsEl.remove();
    await mapP;
    return;
  }
  const rows: [string, string][] = [];
  const flush = () => {
    if (gen === generation) statsEl.innerHTML = kv(rows);
  };
  try {
    const latestURL = "/cosmos/base/tendermint/v1beta1/blocks/latest";
    const latest = await get(latestURL);
    const hdr = (latest.sdk_block || latest.block).header;
    const h = Number(hdr.height);
    rows.push(["height", src(int(hdr.height), latestURL, `data-field="height"`)]);
    rows.push(["latest block", src(hdr.time, latestURL)]);
    flush();
    const back = Math.min(10, h - 1);
    if (back > 0) {
      const prevURL = `/cosmos/base/tendermint/v1beta1/blocks/${h - back}`;
      const prev = await get(prevURL);
      const ph = (prev.sdk_block || prev.block).header;
      const dt = (Date.parse(hdr.time) - Date.parse(ph.time)) / back / 1000;
      rows.push(["block time", `${dt.toFixed(2)} s (mean of the last ${back}, from ${src("block " + (h - back), prevURL)} and ${src("block " + h, latestURL)})`]);
      // PoC relays per block: MsgSubmitPoc in the last blocks' transactions.
      let relays = 0;
      const links: string[] = [];
      for (let x = h; x > h - back; x--) {
        const url = `/cosmos/tx/v1beta1/txs/block/${x}`;
        try {
          const b = await get(url);
          let n = 0;
          for (const tx of b.txs || []) for (const m of tx.body?.messages || []) if (m["@type"] === "/pocd.poc.v1.MsgSubmitPoc") n++;
          relays += n;
          links.push(src(String(n), url));
        } catch {
          links.push("?");
        }
      }
      rows.push(["PoC relays per block", `${(relays / back).toFixed(2)} (MsgSubmitPoc per block over the last ${back}: ${links.join(" ")})`]);
    }
  } catch (e) {
    rows.push(["blocks", errorBox("Latest block unavailable.", apiDetail(e))]);
  }
  flush();
  try {
    const cntURL = "/pocd/hotspot/v1/hotspots?pagination.limit=1&pagination.count_total=true";
    const c = await get(cntURL);
    rows.push(["hotspots", src(int(c.pagination?.total), cntURL, `data-field="hotspots"`)]);
  } catch (e) {
    rows.push(["hotspots", errorBox("unavailable", apiDetail(e))]);
  }
  flush();
  try {
    const emURL = "/pocd/rewards/v1/emission";
    const em = await get(emURL);
    rows.push(["HNT minted so far", src(hnt(em.minted), emURL, `data-field="minted" data-value="${esc(em.minted)}"`)]);
    rows.push(["next epoch's emission", src(hnt(em.emission), emURL) + ` (epoch ${src(em.epoch, emURL)})`]);
    let halving = src("epoch " + em.next_halving_epoch, emURL);
    try {
      const pURL = "/pocd/rewards/v1/params";
      const p = await get(pURL);
      const eURL = "/cosmos/epochs/v1beta1/epochs";
      const eps = await get(eURL);
      const ep = (eps.epochs || []).find((x: any) => x.identifier === p.params.epoch_identifier);
      if (ep) {
        const secs = parseFloat(String(ep.duration).replace(/s$/, ""));
        const left = Number(em.next_halving_epoch) - Number(em.epoch);
        const eta = new Date(Date.parse(ep.current_epoch_start_time) + (left + 1) * secs * 1000);
        halving += ` in ${group(String(left))} epochs of ${src(ep.duration, eURL)} (about ${eta.toISOString().slice(0, 10)})`;
      }
    } catch {
      /* the epoch length is a nicety */
    }
    rows.push(["next halving", halving]);
    const last = Number(em.last_settled_epoch);
    rows.push(["last settled epoch", last ? `<a href="#/epoch/${last}">${esc(last)}</a> ${src("(source)", emURL)}` : src("none yet", emURL)]);
    if (gen !== generation) return;
    const eps: string[] = [];
    for (let e = last; e > 0 && e > last - 5; e--) {
      const url = `/pocd/rewards/v1/epochs/${e}`;
      try {
        const r = (await get(url)).rewards;
        eps.push(`<tr><td><a href="#/epoch/${e}">${e}</a></td><td>${src(hnt(r.emission), url)}</td><td>${src(hnt(r.paid), url)}</td><td>${r.paid_out ? "paid out" : "paying"}</td></tr>`);
      } catch {
        /* pruned */
      }
    }
    if (eps.length && gen === generation)
      document.getElementById("epochs")!.innerHTML = section("Recent epochs", `<table><tr><th>epoch</th><th>emission</th><th>paid</th><th></th></tr>${eps.join("")}</table>`);
  } catch (e) {
    rows.push(["emission", errorBox("unavailable", apiDetail(e))]);
  }
  if (gen !== generation) return;
  statsEl.innerHTML = kv(rows);
  // Ingest counters: the API server's Prometheus endpoint, when telemetry
  // exports them there.
  const ingestEl = document.getElementById("ingest")!;
  const mURL = "/metrics?format=prometheus";
  try {
    const text = await getText(mURL);
    // counters and gauges; histograms only as their count and sum
    const lines = text.split("\n").filter((l) => l.startsWith("pocd_ingest_") && !/_bucket[{ ]/.test(l));
    ingestEl.innerHTML = section(
      "PoC ingest (this node)",
      lines.length
        ? `<table>${lines.slice(0, 40).map((l) => { const i = l.lastIndexOf(" "); return `<tr><td><code>${esc(l.slice(0, i))}</code></td><td>${src(l.slice(i + 1), mURL)}</td></tr>`; }).join("")}</table>`
        : note(`This node's API server does not export the ingest counters (${src("GET " + mURL, mURL)} has no <code>pocd_ingest_*</code>); they are on CometBFT's Prometheus port (:26660/metrics), which the explorer does not read.`),
    );
  } catch (e) {
    ingestEl.innerHTML = section("PoC ingest (this node)", note(`Ingest counters are not served over REST (${apiDetail(e)}); they are on CometBFT's Prometheus port (:26660/metrics), which the explorer does not read.`));
  }
  await mapP;
}

async function hotspotPage(id: string, gen: number) {
  id = id.trim();
  if (id.startsWith("12D3KooW") && (id.length !== 52 || !B58.test(id)))
    throw new UserError(`“${id}” is not a well-formed hotspot address: an address is 52 base58 characters starting 12D3KooW.`);
  if (!NAME_RE.test(id) && !B58.test(id))
    throw new UserError(`“${id}” is neither a hotspot name (three words, like proud-onyx-newt) nor a hotspot address (12D3KooW…).`);
  const hURL = `/pocd/hotspot/v1/hotspots/${encodeURIComponent(id)}`;
  let h: any;
  try {
    h = (await get(hURL)).hotspot;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404)
      throw new UserError(NAME_RE.test(id) ? `No hotspot is named “${id}”.` : `No hotspot has the address “${id}”.`, { cause: e });
    if (e instanceof ApiError && e.status >= 400 && e.status < 500)
      throw new UserError(`“${id}” is not a valid hotspot address or name: ${e.detail}`, { cause: e });
    throw e;
  }
  if (gen !== generation) return;
  const a = h.address;
  page(`<h1 data-hotspot-name="${esc(h.name)}" data-hotspot-address="${esc(a)}">${esc(h.name)}</h1>
    <p class="sub">hotspot <code>${esc(a)}</code></p>
    <div class="cols"><div id="facts"></div><div id="minimap"></div></div>
    <div id="beacons"><p class="loading">loading beacons…</p></div>
    <div id="witnesses-block"><p class="loading">loading witnesses…</p></div>
    <div id="witnessed-block"><p class="loading">loading…</p></div>
    <div id="rewards"><p class="loading">loading rewards…</p></div>`);
  const facts: [string, string][] = [
    ["name", src(h.name, hURL)],
    ["owner", `<a href="#/owner/${esc(h.owner)}">${esc(h.owner)}</a> ${src("(source)", hURL)}`],
    ["mode", src(String(h.mode).replace("HOTSPOT_MODE_", "").toLowerCase(), hURL)],
    ["region", src(h.region || "–", hURL)],
    ["location", h.location ? `<a href="#/hex/${esc(h.location)}" data-field="location">${esc(h.location)}</a> (${src(cellLatLng(h.location), hURL)})` : src("not asserted", hURL)],
    ["antenna gain", src(tenths(h.gain) + " dBi", hURL)],
    ["elevation", src(int(h.elevation) + " m", hURL)],
    ["added at height", src(int(h.added_height), hURL)],
    ["asserted at height", src(int(h.asserted_height), hURL) + ` (assertion ${src(int(h.location_nonce), hURL)})`],
  ];
  if (h.location) {
    const sURL = `/pocd/poc/v1/hex-scale/${h.location}`;
    try {
      const s = await get(sURL);
      facts.push(["HIP-17 scale", `${src(e4(s.scale), sURL, `data-field="scale"`)} (epoch ${src(s.computed_epoch, sURL)}; <a href="#/hex/${esc(h.location)}">counts</a>)`]);
    } catch (e) {
      facts.push(["HIP-17 scale", errorBox("unavailable", apiDetail(e))]);
    }
    const mm = document.getElementById("minimap")!;
    const parent = cellToParent(h.location, 8);
    const map = new HexMap(mm, { res: 12, height: 260, minHexPx: 6, fitCells: [parent] });
    map.svg.id = "minimap-svg";
    await map.setItems([{ cell: h.location, hotspot: a, name: h.name, title: h.name }]);
    mm.insertAdjacentHTML("beforeend", note(`its res-12 hex (drawn at least 6 px) inside its res-8 parent <a href="#/hex/${parent}">${parent}</a>`));
  }
  document.getElementById("facts")!.innerHTML = kv(facts);

  // beacons
  const pURL = `/pocd/poc/v1/hotspots/${a}/pocs?pagination.limit=20&pagination.reverse=true`;
  const bEl = document.getElementById("beacons")!;
  try {
    const ps = (await get(pURL)).pocs || [];
    bEl.innerHTML = section(
      "Recent beacons",
      ps.length
        ? `<table id="pocs"><tr><th>beacon</th><th>time</th><th>verdict</th><th>side</th><th>witness reports</th><th>selected</th><th>reward unit</th><th>hex scale</th><th>epoch</th><th>judged at</th></tr>${ps
            .map((p: any) => {
              const id = b64hex(p.beacon_id);
              const one = `/pocd/poc/v1/pocs/${id}`;
              return `<tr data-beacon="${id}" data-reason="${esc(p.reason)}"><td>${src(short(id), one)}</td><td>${esc(nsTime(p.timestamp_ns))}</td><td>${badge(p.reason)}</td><td>${esc(side(p.side))}</td><td>${src(int(p.witness_reports), pURL)}</td><td>${src(int(p.selected), pURL)}</td><td>${src(e4(p.reward_unit), pURL)}</td><td>${src(e4(p.hex_scale), pURL)}</td><td><a href="#/epoch/${esc(p.epoch)}">${esc(p.epoch)}</a></td><td>${src(int(p.height), pURL)}</td></tr>`;
            })
            .join("")}</table>`
        : note(`No beacons recorded (${src("source", pURL)}).`),
    );
  } catch (e) {
    bEl.innerHTML = section("Recent beacons", errorBox("unavailable", apiDetail(e)));
  }
  // witnesses / witnessed
  const wTable = (rows: any[], url: string, other: "witness" | "beaconer", id: string) =>
    rows.length
      ? `<table id="${id}"><tr><th>${other === "witness" ? "witness" : "beaconer"}</th><th>beacon</th><th>verdict</th><th>side</th><th>RSSI (dBm)</th><th>free-space bound (dBm)</th><th>distance</th><th>selected</th><th>reward unit</th><th>time</th></tr>${rows
          .map((w: any) => {
            const bid = b64hex(w.beacon_id);
            const over = Number(w.max_rssi_udbm) !== 0 && Number(w.rssi_ddbm) * 100000 > Number(w.max_rssi_udbm);
            return `<tr data-beacon="${bid}" data-beaconer="${esc(w.beaconer)}" data-witness="${esc(w.witness)}" data-reason="${esc(w.reason)}" data-side="${esc(w.side)}" data-rssi-ddbm="${esc(w.rssi_ddbm)}" data-bound-udbm="${esc(w.max_rssi_udbm)}" data-selected="${w.selected ? "true" : "false"}">
              <td>${hotspotLink(w[other])}</td><td>${src(short(bid), `/pocd/poc/v1/pocs/${bid}`)}</td><td>${badge(w.reason)}</td><td>${esc(side(w.side))}</td>
              <td class="${over ? "over" : ""}">${src(tenths(w.rssi_ddbm), url)}</td><td>${src(udbm(w.max_rssi_udbm), url)}</td><td>${src((Number(w.distance_m) / 1000).toFixed(2) + " km", url)}</td>
              <td>${src(w.selected ? "yes" : "no", url)}</td><td>${src(e4(w.reward_unit), url)}</td><td>${esc(nsTime(w.timestamp_ns))}</td></tr>`;
          })
          .join("")}</table>`
      : note(`None recorded (${src("source", url)}).`);
  const wURL = `/pocd/poc/v1/hotspots/${a}/witnesses?pagination.limit=50&pagination.reverse=true`;
  const wEl = document.getElementById("witnesses-block")!;
  try {
    const ws = (await get(wURL)).witnesses || [];
    wEl.innerHTML = section(`Who witnessed ${h.name} (newest ${ws.length})`, wTable(ws, wURL, "witness", "witnesses") + note("RSSI above the free-space bound (red) is physically impossible at that distance: the witness is judged bad_rssi."));
  } catch (e) {
    wEl.innerHTML = section("Who witnessed it", errorBox("unavailable", apiDetail(e)));
  }
  const wdURL = `/pocd/poc/v1/hotspots/${a}/witnessed?pagination.limit=50&pagination.reverse=true`;
  const wdEl = document.getElementById("witnessed-block")!;
  try {
    const ws = (await get(wdURL)).witnessed || [];
    wdEl.innerHTML = section(`Whom ${h.name} witnessed (newest ${ws.length})`, wTable(ws, wdURL, "beaconer", "witnessed"));
  } catch (e) {
    wdEl.innerHTML = section("Whom it witnessed", errorBox("unavailable", apiDetail(e)));
  }
  // rewards
  const rURL = `/pocd/rewards/v1/hotspots/${a}?pagination.limit=60&pagination.reverse=true`;
  const rEl = document.getElementById("rewards")!;
  try {
    const rs = ((await get(rURL)).rewards || []).slice().reverse();
    rEl.innerHTML = section("Rewards per epoch", rs.length ? rewardChart(rs, rURL) + rewardTable(rs, rURL) : note(`No rewards paid yet (${src("source", rURL)}).`));
  } catch (e) {
    rEl.innerHTML = section("Rewards per epoch", errorBox("unavailable", apiDetail(e)));
  }
}

function rewardChart(rs: any[], url: string): string {
  const W = 640, H = 160, pad = 30;
  const vals = rs.map((r) => [Number(BigInt(r.beacon_amount)), Number(BigInt(r.witness_amount))]);
  const max = Math.max(1, ...vals.map(([b, w]) => b + w));
  const bw = Math.max(2, Math.min(24, (W - pad) / rs.length - 2));
  const bars = rs
    .map((r, i) => {
      const [b, w] = vals[i];
      const x = pad + i * (bw + 2);
      const hb = ((H - 20) * b) / max, hw = ((H - 20) * w) / max;
      return `<a href="${esc(url)}" target="_blank" rel="noopener"><g data-epoch="${esc(r.epoch)}"><title>epoch ${esc(r.epoch)}: beacon ${hnt(r.beacon_amount)}, witness ${hnt(r.witness_amount)}</title>
        <rect class="wit" x="${x}" y="${H - 10 - hw}" width="${bw}" height="${hw}"/><rect class="bea" x="${x}" y="${H - 10 - hw - hb}" width="${bw}" height="${hb}"/></g></a>`;
    })
    .join("");
  return `<svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><text x="2" y="12">${esc(hnt(String(Math.round(max))))}</text><line x1="${pad}" x2="${W}" y1="${H - 10}" y2="${H - 10}"/>${bars}</svg>
    <div class="legend"><span class="swatch bea"></span>beacon <span class="swatch wit"></span>witness, per epoch (oldest left)</div>`;
}

function rewardTable(rs: any[], url: string): string {
  return `<table id="reward-history"><tr><th>epoch</th><th>beacon shares</th><th>witness shares</th><th>beacon</th><th>witness</th><th>paid at</th><th></th></tr>${rs
    .slice()
    .reverse()
    .map(
      (r) =>
        `<tr><td><a href="#/epoch/${esc(r.epoch)}">${esc(r.epoch)}</a></td><td>${src(int(r.beacon_shares), url)}</td><td>${src(int(r.witness_shares), url)}</td><td>${src(hnt(r.beacon_amount), url)}</td><td>${src(hnt(r.witness_amount), url)}</td><td>${src(int(r.paid_height), url)}</td><td>${esc(r.skipped || "")}</td></tr>`,
    )
    .join("")}</table>`;
}

async function hexPage(raw: string, gen: number) {
  const cell = raw.trim().toLowerCase().replace(/^0x/, "");
  if (!/^[0-9a-f]{15,16}$/.test(cell) || !isValidCell(cell))
    throw new UserError(`“${raw}” is not an H3 cell: a cell is 15 hex digits, like 8c283082800b3ff, and must be a valid H3 index.`);
  const res = getResolution(cell);
  if (res > 12) throw new UserError(`${cell} is a resolution-${res} cell; the chain stores cells of resolution 0 to 12.`);
  page(`<h1>Hex <code>${esc(cell)}</code></h1><p class="sub">H3 resolution ${res}, centre ${cellLatLng(cell)}${res > 0 ? ` · parent <a href="#/hex/${cellToParent(cell, res - 1)}">${cellToParent(cell, res - 1)}</a>` : ""}</p>
    <div class="cols"><div id="scale"></div><div id="hexmap"></div></div><div id="inside"></div>`);
  const sEl = document.getElementById("scale")!;
  if (res >= 10) {
    const sURL = `/pocd/poc/v1/hex-scale/${cell}`;
    try {
      const s = await get(sURL);
      const counts = (s.counts || []) as any[];
      sEl.innerHTML = section(
        "HIP-17 scale",
        kv([
          ["scale", src(e4(s.scale), sURL, `data-field="scale"`)],
          ["computed at the end of epoch", src(String(s.computed_epoch), sURL)],
        ]) +
          (counts.length
            ? `<table id="hexcounts"><tr><th>res</th><th>ancestor cell</th><th>active (unclipped)</th><th>occupied children</th><th>limit</th><th>clipped</th></tr>${counts
                .map((c) => {
                  const hx = u64hex(c.cell);
                  return `<tr data-res="${esc(c.res)}"><td>${esc(c.res)}</td><td><a href="#/hex/${hx}">${hx}</a></td><td>${src(int(c.unclipped), sURL)}</td><td>${src(int(c.occupied), sURL)}</td><td>${src(int(c.limit), sURL)}</td><td>${src(int(c.clipped), sURL)}</td></tr>`;
                })
                .join("")}</table>`
            : note(`No active hotspots counted in its ancestors (${src("source", sURL)}).`)) +
          note("The scale is the product over resolutions of clipped ÷ unclipped active hotspots (HIP-17; docs/poc-rules.md)."),
      );
    } catch (e) {
      sEl.innerHTML = section("HIP-17 scale", errorBox("unavailable", apiDetail(e)));
    }
  } else {
    sEl.innerHTML = section("HIP-17 scale", note(`The chain answers scales for cells of resolution 10 to 12 (the counts it keeps run from resolution 11 to 4); open a hotspot's cell for its scale and the counts of this cell among its ancestors.`));
  }
  const iURL = `/pocd/hotspot/v1/cells/${cell}/hotspots`;
  const iEl = document.getElementById("inside")!;
  try {
    const { items, urls } = await getAll(iURL, "hotspots", 500, 4);
    if (gen !== generation) return;
    iEl.innerHTML = section(
      `Hotspots inside (${items.length})`,
      items.length
        ? `<table id="cell-hotspots"><tr><th>name</th><th>location</th><th>owner</th></tr>${items
            .slice(0, 500)
            .map((h: any) => `<tr><td>${hotspotLink(h.address, h.name)}</td><td><a href="#/hex/${esc(h.location)}">${esc(h.location)}</a></td><td><a href="#/owner/${esc(h.owner)}">${esc(short(h.owner, 8))}</a></td></tr>`)
            .join("")}</table>` + note(`from ${urls.map((u) => src("GET " + u, u)).join(", ")}`)
        : note(`No hotspot asserted inside (${src("source", iURL)}).`),
    );
    const mm = document.getElementById("hexmap")!;
    const map = new HexMap(mm, { res: 12, height: 260, fitCells: [cell] });
    map.svg.id = "hexmap-svg";
    await map.setItems(items.filter((h: any) => h.location).map((h: any) => ({ cell: h.location, hotspot: h.address, name: h.name, title: h.name })));
  } catch (e) {
    iEl.innerHTML = section("Hotspots inside", errorBox("unavailable", apiDetail(e)));
  }
  if (res < 12) {
    const kids = res <= 10 ? cellToChildren(cell, res + 1) : [];
    if (kids.length) iEl.insertAdjacentHTML("beforeend", note("children: " + kids.map((k) => `<a href="#/hex/${k}">${k}</a>`).join(" ")));
  }
}

async function epochPage(n: string, gen: number) {
  if (!/^\d+$/.test(n) || Number(n) < 1) throw new UserError(`“${n}” is not an epoch number (1, 2, …).`);
  const eURL = `/pocd/rewards/v1/epochs/${n}`;
  const mURL = `/pocd/rewards/v1/emission?epoch=${n}`;
  const em = await get(mURL);
  const last = Number(em.last_settled_epoch);
  if (Number(n) > last)
    throw new UserError(`Epoch ${n} is not settled${last ? ` (the last settled epoch is ${last})` : " yet: no epoch is"}.`, { cause: new ApiError(mURL, 200, `last_settled_epoch ${last}`) });
  let r: any;
  try {
    r = (await get(eURL)).rewards;
  } catch (e) {
    if (e instanceof ApiError && ((e.status >= 400 && e.status < 500) || /not settled/.test(e.detail)))
      throw new UserError(`Epoch ${n} is not settled or no longer kept (the last settled epoch is ${last}).`, { cause: e });
    throw e;
  }
  if (gen !== generation) return;
  const pURL = "/pocd/rewards/v1/params";
  let p: any = null;
  try {
    p = (await get(pURL)).params;
  } catch {
    /* the shares are a nicety */
  }
  const pools = BigInt(r.beacon_pool) + BigInt(r.witness_pool);
  const done = BigInt(r.paid) + BigInt(r.dust);
  const share = (k: string) => (p ? ` (${src((Number(p[k]) * 100).toFixed(1) + " %", pURL)})` : "");
  const N = Number(n);
  page(`<h1>Epoch ${esc(n)}</h1><p class="sub">${N > 1 ? `<a href="#/epoch/${N - 1}">← ${N - 1}</a> · ` : ""}<a href="#/epoch/${N + 1}">${N + 1} →</a></p>
    ${section("Emission", kv([
      ["emission", src(hnt(r.emission), eURL, `data-field="emission" data-value="${esc(r.emission)}"`)],
      ["scheduled emission for this epoch", src(hnt(em.emission), mURL)],
      ["HNT minted so far (all epochs)", src(hnt(em.minted), mURL, `data-field="minted" data-value="${esc(em.minted)}"`)],
      ["next halving", src("epoch " + em.next_halving_epoch, mURL)],
      ["settled at height", src(int(r.settled_height), eURL)],
    ]))}
    ${section("Split", kv([
      ["beacons", src(hnt(r.beacon_pool), eURL) + share("beacon_share")],
      ["witnesses", src(hnt(r.witness_pool), eURL) + share("witness_share")],
      ["validators", src(hnt(r.validator_pool), eURL) + share("validator_share")],
      ["community pool", src(hnt(r.community_pool), eURL) + share("community_share")],
      ["beacon shares", src(int(r.total_beacon_shares), eURL) + " at " + src(r.beacon_rate, eURL) + " bones/share"],
      ["witness shares", src(int(r.total_witness_shares), eURL) + " at " + src(r.witness_rate, eURL) + " bones/share"],
    ]))}
    ${section("Payout", kv([
      ["paid to owners", src(hnt(r.paid), eURL, `data-field="paid"`)],
      ["dust (to the community pool)", src(hnt(r.dust), eURL)],
      ["progress", `<progress max="100" value="${pools > 0n ? Number((done * 100n) / pools) : 100}"></progress> ${pct(done, pools)} of the beacon and witness pools ${src(r.paid_out ? "paid out" : "still paying", eURL, `data-field="paid-out"`)}`],
    ]))}`);
}

async function ownerPage(addr: string, gen: number) {
  addr = addr.trim();
  if (!/^hnt1[02-9ac-hj-np-z]{38,}$/.test(addr)) throw new UserError(`“${addr}” is not an account address (hnt1…).`);
  const oURL = `/pocd/rewards/v1/owners/${addr}`;
  let o: any;
  try {
    o = await get(oURL);
  } catch (e) {
    if (e instanceof ApiError && e.status >= 400 && e.status < 500) throw new UserError(`“${addr}” is not a valid account address: ${e.detail}`, { cause: e });
    throw e;
  }
  const hBase = `/pocd/hotspot/v1/hotspots?owner=${addr}`;
  const { items, urls } = await getAll(hBase, "hotspots", 500, 10);
  if (gen !== generation) return;
  page(`<h1>Owner <code>${esc(short(addr, 10))}</code></h1><p class="sub"><code>${esc(addr)}</code></p>
    ${section("Rewards", kv([["paid", src(hnt(o.paid), oURL, `data-field="paid"`)], ["owed (settled, being paid)", src(hnt(o.owed), oURL)], ["hotspots", src(String(items.length), urls[0] || hBase)]]))}
    <div id="ownermap"></div>
    ${section("Hotspots", items.length ? `<table id="owner-hotspots"><tr><th>name</th><th>address</th><th>location</th><th>region</th></tr>${items.map((h: any) => `<tr><td>${hotspotLink(h.address, h.name)}</td><td><code>${esc(short(h.address, 8))}</code></td><td>${h.location ? `<a href="#/hex/${esc(h.location)}">${esc(h.location)}</a>` : "not asserted"}</td><td>${esc(h.region)}</td></tr>`).join("")}</table>` : note("No hotspots."))}`);
  const asserted = items.filter((h: any) => h.location);
  if (asserted.length) {
    const map = new HexMap(document.getElementById("ownermap")!, { height: 320, onHex: (cell, r, its) => { location.hash = r >= 12 && its[0]?.hotspot ? "#/hotspot/" + its[0].hotspot : "#/hex/" + cell; } });
    map.svg.id = "ownermap-svg";
    await map.setItems(asserted.map((h: any) => ({ cell: h.location, hotspot: h.address, name: h.name, title: h.name })));
  }
}

// ---------------------------------------------------------------- search and routing

export function classify(q: string): string | null {
  const s = q.trim();
  if (!s) return null;
  if (/^\d+$/.test(s)) return "#/epoch/" + s;
  if (/^hnt1/i.test(s)) return "#/owner/" + s;
  if (/^(0x)?[0-9a-fA-F]{15,16}$/.test(s)) return "#/hex/" + s;
  if (NAME_RE.test(s.toLowerCase())) return "#/hotspot/" + s.toLowerCase();
  if (/^12D3KooW/.test(s) || (B58.test(s) && s.length > 40)) return "#/hotspot/" + s;
  return null;
}

function setupSearch() {
  const form = document.getElementById("search-form") as HTMLFormElement;
  const input = document.getElementById("search") as HTMLInputElement;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = input.value;
    const to = classify(q);
    if (!to) {
      generation++;
      page(`<h1>Search</h1>` + errorBox(`Nothing to look up for “${q.trim()}”.`, esc("Enter a hotspot's three-word name (proud-onyx-newt), a hotspot address (12D3KooW…), an owner address (hnt1…), an H3 cell (8c283082800b3ff) or an epoch number.")));
      return;
    }
    if (location.hash === to) route();
    else location.hash = to;
  });
}

async function route() {
  const gen = ++generation;
  const { parts, query, text: hash } = routeOf(location.hash);
  const params = new URLSearchParams(query);
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", (a as HTMLAnchorElement).hash === "#/" + (parts[0] || "")));
  page(`<p class="loading">loading…</p>`);
  try {
    const res = params.get("res") ? Number(params.get("res")) : undefined;
    if (res !== undefined && ![12, 8, 6].includes(res)) throw new UserError(`res=${params.get("res")}: the map draws resolution 12, 8 or 6.`);
    switch (parts[0] || "") {
      case "":
        await home(gen, res);
        break;
      case "map":
        await home(gen, res, true);
        break;
      case "hotspot":
        await hotspotPage(parts.slice(1).join("/"), gen);
        break;
      case "hex":
        await hexPage(parts.slice(1).join("/"), gen);
        break;
      case "epoch":
        await epochPage(parts[1] || "", gen);
        break;
      case "epochs": {
        const em = await get("/pocd/rewards/v1/emission");
        location.hash = "#/epoch/" + Math.max(1, Number(em.last_settled_epoch));
        break;
      }
      case "owner":
        await ownerPage(parts[1] || "", gen);
        break;
      default:
        throw new UserError(`There is no page “${hash}”.`);
    }
  } catch (e) {
    if (gen !== generation) return;
    if (e instanceof UserError) page(errorBox(e.message, e.cause ? apiDetail(e.cause) : ""));
    else page(errorBox("The node's REST API could not answer this page.", apiDetail(e)));
  }
}

window.addEventListener("error", (e) => {
  const box = document.getElementById("fatal");
  if (box) box.innerHTML = errorBox("The explorer hit an error.", esc(String(e.message)));
});
window.addEventListener("unhandledrejection", (e) => {
  const box = document.getElementById("fatal");
  if (box) box.innerHTML = errorBox("The explorer hit an error.", esc(String((e as PromiseRejectionEvent).reason)));
});
window.addEventListener("hashchange", route);
setupSearch();
// What early.js requested is for this first route only: a later visit to
// the map must not draw pages from the time the explorer was opened.
route().finally(() => delete (window as any).__early);
