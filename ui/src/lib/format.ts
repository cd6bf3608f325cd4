// Times and durations as people read them, always with a unit.

export function fmtDuration(ns: number): string {
  if (!isFinite(ns)) return "-";
  const a = Math.abs(ns);
  if (a >= 60e9) {
    const m = Math.floor(ns / 60e9);
    const s = (ns - m * 60e9) / 1e9;
    return `${m} min ${s.toFixed(1)} s`;
  }
  if (a >= 1e9) return `${trim(ns / 1e9)} s`;
  if (a >= 1e6) return `${trim(ns / 1e6)} ms`;
  if (a >= 1e3) return `${trim(ns / 1e3)} µs`;
  return `${Math.round(ns)} ns`;
}

function trim(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

// "2026-12-07 17:40:36.123 UTC" or local time with its offset.
export function fmtTime(ms: number, utc: boolean): string {
  const d = new Date(ms);
  if (utc) {
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} UTC`;
  }
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  const tz = `${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)} ${tz}`;
}

export function nsToMs(ns: bigint | number | string): number {
  return Number(BigInt(ns) / 1000000n);
}

// "2h", "15m" or a number of ns -> ns. NaN when unreadable.
export function parseDuration(text: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(ns|us|µs|ms|s|m|min|h)?\s*$/.exec(text);
  if (!m) return NaN;
  const v = parseFloat(m[1]);
  const unit = m[2] ?? "ms";
  const mult: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, ms: 1e6, s: 1e9, m: 60e9, min: 60e9, h: 3600e9 };
  return v * mult[unit];
}
