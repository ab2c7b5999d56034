// REST access: the node's public REST API, same origin, relative URLs.
// Every value shown on a page links to the URL it came from (src()).

export class ApiError extends Error {
  constructor(public url: string, public status: number, public detail: string) {
    super(detail);
  }
}

// fetchEarly returns the response early.js already requested for url (once),
// or fetches it now.
export function fetchEarly(url: string, init?: RequestInit): Promise<Response> {
  const early = (window as any).__early as Record<string, Promise<Response>> | undefined;
  const p = early?.[url];
  if (p) {
    delete early![url];
    return p;
  }
  return fetch(url, init);
}

export async function get(url: string): Promise<any> {
  let resp: Response;
  try {
    resp = await fetchEarly(url, { headers: { Accept: "application/json" } });
  } catch (e) {
    throw new ApiError(url, 0, "the node's REST API did not answer (" + String(e) + ")");
  }
  const text = await resp.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!resp.ok) {
    const msg = body && typeof body.message === "string" ? body.message : text.slice(0, 300) || resp.statusText;
    throw new ApiError(url, resp.status, msg);
  }
  if (body === null) throw new ApiError(url, resp.status, "not JSON: " + text.slice(0, 100));
  return body;
}

export async function getText(url: string): Promise<string> {
  const resp = await fetch(url);
  if (!resp.ok) throw new ApiError(url, resp.status, resp.statusText);
  return resp.text();
}

// getAll pages through a list with pagination.key, from the key `from` (""
// for the start); pages are returned with the URL each came from, and next
// is the key left when maxPages ran out ("" once the list ended).
export async function getAll(base: string, field: string, limit = 1000, maxPages = 200, from = ""): Promise<{ items: any[]; urls: string[]; next: string }> {
  const items: any[] = [];
  const urls: string[] = [];
  let key = from;
  for (let i = 0; i < maxPages; i++) {
    const sep = base.includes("?") ? "&" : "?";
    const url = base + sep + "pagination.limit=" + limit + (key ? "&pagination.key=" + encodeURIComponent(key) : "");
    const body = await get(url);
    urls.push(url);
    for (const it of body[field] || []) items.push(it);
    key = body.pagination && body.pagination.next_key ? body.pagination.next_key : "";
    if (!key) break;
  }
  return { items, urls, next: key };
}

export function esc(s: unknown): string {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

// src renders a value as a link to the REST URL it was read from.
export function src(text: string, url: string, attrs = ""): string {
  return `<a class="src" href="${esc(url)}" target="_blank" rel="noopener" title="from GET ${esc(url)}"${attrs ? " " + attrs : ""}>${esc(text)}</a>`;
}

// limit on how many requests run at once.
export async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) {
      const t = items[i++];
      try {
        await fn(t);
      } catch {
        /* one failed look-up leaves its hex grey */
      }
    }
  });
  await Promise.all(workers);
}
