// Formatting of chain values (strings in REST JSON: int64 and math.Int).

export const BONES_PER_HNT = 100000000n;

export function hnt(bones: string | undefined): string {
  if (bones === undefined || bones === null || bones === "") return "–";
  let v: bigint;
  try {
    v = BigInt(bones);
  } catch {
    return String(bones);
  }
  const neg = v < 0n;
  if (neg) v = -v;
  const whole = v / BONES_PER_HNT;
  let frac = (v % BONES_PER_HNT).toString().padStart(8, "0").replace(/0+$/, "");
  return (neg ? "-" : "") + group(whole.toString()) + (frac ? "." + frac : "") + " HNT";
}

export function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export function int(s: string | number | undefined): string {
  if (s === undefined || s === null || s === "") return "–";
  return group(String(s));
}

// tenths: -950 -> "-95.0"
export function tenths(v: number | string): string {
  const n = Number(v);
  return (n / 10).toFixed(1);
}

// micro-dBm bound -> "-62.31"
export function udbm(v: string | number): string {
  const n = Number(v);
  if (!n) return "not reached";
  return (n / 1e6).toFixed(2);
}

// x10^-4 -> "0.2000"
export function e4(v: number | string): string {
  return (Number(v) / 10000).toFixed(4);
}

export function reason(r: string): string {
  return (r || "").replace(/^REASON_/, "").toLowerCase();
}

export function side(s: string): string {
  return s === "SIDE_NONE" || !s ? "" : s.replace(/^SIDE_/, "").toLowerCase();
}

export function b64hex(b: string): string {
  if (!b) return "";
  const bin = atob(b);
  let out = "";
  for (let i = 0; i < bin.length; i++) out += bin.charCodeAt(i).toString(16).padStart(2, "0");
  return out;
}

export function short(s: string, n = 6): string {
  return s.length > 2 * n + 1 ? s.slice(0, n) + "…" + s.slice(-n) : s;
}

export function nsTime(ns: string): string {
  const ms = Number(BigInt(ns || "0") / 1000000n);
  return ms ? new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : "–";
}

export function u64hex(dec: string): string {
  try {
    return BigInt(dec).toString(16);
  } catch {
    return dec;
  }
}

export function pct(part: bigint, whole: bigint): string {
  if (whole <= 0n) return "–";
  return (Number((part * 10000n) / whole) / 100).toFixed(2) + " %";
}
