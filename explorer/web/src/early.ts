// early.js runs in <head>, before app.js is fetched and compiled: on the
// routes that draw the map it requests the first pages of the fleet and the
// 1:10m basemap at once, and app.js takes the responses over (api.ts
// fetchEarly). On a 10,000-hotspot fleet the listing is the largest part of
// the map's time (docs/benchmarks.md), and this overlaps it with loading
// the app.
import { FLEET_PARALLEL, basemapURL, fleetPageURL, isMapRoute } from "./preload";

if (isMapRoute(location.hash)) {
  const early: Record<string, Promise<Response>> = {};
  const urls = Array.from({ length: FLEET_PARALLEL }, (_, i) => fleetPageURL(i));
  urls.push(basemapURL("10m"));
  for (const url of urls) {
    // The same request the app makes (api.ts get; map.ts loadBasemap).
    const p = url.startsWith("/") ? fetch(url, { headers: { Accept: "application/json" } }) : fetch(url);
    // Handled where it is taken over; a page never taken (the user left
    // the map first) must not report an unhandled rejection.
    p.catch(() => undefined);
    early[url] = p;
  }
  (window as any).__early = early;
}
