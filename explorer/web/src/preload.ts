// What the map reads first, named once for early.ts (which requests it while
// app.js loads) and for the app (which takes the responses over).
//
// The fleet listing: the node's list of hotspot locations (address, name and
// cell of every asserted hotspot, a fifth of the bytes of the full records),
// paged by offset rather than by pagination.key, so that pages can be
// requested side by side instead of each waiting for the one before (the
// SDK's collection pagination accepts either).

export const FLEET_URL = "/pocd/hotspot/v1/locations";
// Hotspots a page: 10,000 hotspots take two requests.
export const FLEET_PAGE = 5000;
// Pages requested at once.
export const FLEET_PARALLEL = 2;

export function fleetPageURL(page: number): string {
  return `${FLEET_URL}?pagination.limit=${FLEET_PAGE}&pagination.offset=${page * FLEET_PAGE}`;
}

// routeOf splits a location hash into the route's path parts and its query
// (#/hotspot/NAME?x=1 → ["hotspot", "NAME"], "x=1"; text is the decoded
// hash, for messages). It throws on a hash that is not valid
// percent-encoding.
export function routeOf(hash: string): { parts: string[]; query: string; text: string } {
  const full = decodeURIComponent(hash.replace(/^#/, "")) || "/";
  const [path, query] = full.split("?");
  return { parts: path.split("/").filter(Boolean), query: query || "", text: full };
}

// isMapRoute: the routes that draw the whole fleet (home and #/map).
export function isMapRoute(hash: string): boolean {
  try {
    const first = routeOf(hash).parts[0] || "";
    return first === "" || first === "map";
  } catch {
    return false; // a malformed hash: the app shows its error
  }
}

// basemapURL: the projected country outlines at one scale (tools/basemap.mjs).
// The map of a fleet starts at 1:10m, the scale of a city.
export function basemapURL(level: "50m" | "10m"): string {
  return "basemap/countries-" + level + ".bin";
}
