// Rate, errors and duration per service from /api/v1/metrics, with a
// sparkline of the request rate. The answer is read defensively: a list of
// steps, each with a rate, an error rate and latency quantiles.
import { useEffect, useState } from "preact/hooks";
import { getOptional } from "../api";
import { fmtDuration } from "../lib/format";

interface Step { rate: number; errorRate: number; p50: number; p99: number }

function num(o: Record<string, unknown>, ...keys: string[]): number {
  for (const k of keys) if (typeof o[k] === "number") return o[k] as number;
  return NaN;
}

export function readSteps(answer: unknown): Step[] {
  const a = answer as Record<string, unknown>;
  const list = (a?.steps ?? a?.points ?? a?.series ?? a?.data ?? (Array.isArray(answer) ? answer : [])) as Record<string, unknown>[];
  if (!Array.isArray(list)) return [];
  return list.map((s) => ({
    rate: num(s, "rate", "rate_per_s", "calls_per_s", "requests_per_s"),
    errorRate: num(s, "error_rate", "errors_per_s", "error_ratio"),
    p50: num(s, "p50_ns", "p50"),
    p99: num(s, "p99_ns", "p99"),
  }));
}

function Spark({ values }: { values: number[] }) {
  const v = values.filter((x) => isFinite(x));
  if (v.length < 2) return null;
  const max = Math.max(...v, 1e-9);
  const d = v.map((x, k) => `${k ? "L" : "M"}${(k / (v.length - 1)) * 100},${20 - (x / max) * 18}`).join(" ");
  return <svg width="100" height="22" class="spark" aria-hidden="true"><path d={d} fill="none" stroke="currentColor" /></svg>;
}

function Row({ service, lookback }: { service: string; lookback: string }) {
  const [steps, setSteps] = useState<Step[] | null>(null);
  useEffect(() => {
    getOptional<unknown>(`/api/v1/metrics?service=${encodeURIComponent(service)}&lookback=${lookback}`)
      .then((r) => setSteps(r ? readSteps(r) : [])).catch(() => setSteps([]));
  }, [service, lookback]);
  const last = steps && steps.length ? steps[steps.length - 1] : null;
  return (
    <tr>
      <td><a href={`/search?service=${encodeURIComponent(service)}`}>{service}</a></td>
      <td class="num">{last && isFinite(last.rate) ? `${last.rate.toFixed(2)} /s` : "-"}</td>
      <td class="num">{last && isFinite(last.errorRate) ? `${(last.errorRate * 100).toFixed(1)} %` : "-"}</td>
      <td class="num">{last && isFinite(last.p50) ? fmtDuration(last.p50) : "-"}</td>
      <td class="num">{last && isFinite(last.p99) ? fmtDuration(last.p99) : "-"}</td>
      <td>{steps && <Spark values={steps.map((s) => s.rate)} />}</td>
    </tr>
  );
}

export function RedFigures({ services, lookback }: { services: string[]; lookback: string }) {
  return (
    <table class="grid red">
      <thead><tr><th>service</th><th class="num">rate</th><th class="num">errors</th><th class="num">p50</th><th class="num">p99</th><th>rate over the window</th></tr></thead>
      <tbody>{services.map((s) => <Row key={s} service={s} lookback={lookback} />)}</tbody>
    </table>
  );
}
