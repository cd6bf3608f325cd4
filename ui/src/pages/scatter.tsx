// Search results as points: start time across, duration up, red for traces
// with errors, bigger for more spans. uPlot draws the axes and scales; the
// points are drawn in its draw hook (size and colour per trace). A click
// opens the nearest trace.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { TraceSummary } from "../api";
import { navigate } from "../router";
import { fmtDuration } from "../lib/format";

export function pointRadius(spans: number): number {
  return Math.min(14, 3 + Math.log2(Math.max(1, spans)));
}

export function Scatter({ traces, utc }: { traces: TraceSummary[]; utc: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current!;
    const pts = traces
      .map((t) => ({ x: Number(BigInt(t.start_ns) / 1000000n) / 1000, y: t.duration_ns / 1e6, t }))
      .sort((a, b) => a.x - b.x);
    const css = getComputedStyle(document.documentElement);
    const fg = css.getPropertyValue("--fg-muted").trim() || "#666";
    const ok = css.getPropertyValue("--accent").trim() || "#1d5fd1";
    const bad = css.getPropertyValue("--error").trim() || "#c62828";
    const draw = (u: uPlot) => {
      const g = u.ctx;
      g.save();
      for (const p of pts) {
        const cx = u.valToPos(p.x, "x", true);
        const cy = u.valToPos(p.y, "y", true);
        g.beginPath();
        g.arc(cx, cy, pointRadius(p.t.span_count) * devicePixelRatio, 0, 2 * Math.PI);
        g.fillStyle = p.t.error_count > 0 ? bad : ok;
        g.globalAlpha = 0.6;
        g.fill();
      }
      g.restore();
    };
    const plot = new uPlot(
      {
        width: el.clientWidth || 800,
        height: 180,
        tzDate: (ts) => (utc ? uPlot.tzDate(new Date(ts * 1000), "Etc/UTC") : new Date(ts * 1000)),
        legend: { show: false },
        cursor: { points: { show: false }, drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max * 1.15, 1)] } },
        axes: [
          { stroke: fg, grid: { stroke: "rgba(128,128,128,.15)" } },
          { stroke: fg, size: 70, grid: { stroke: "rgba(128,128,128,.15)" }, values: (_u, vals) => vals.map((v) => fmtDuration(v * 1e6)) },
        ],
        series: [{}, { paths: () => null, points: { show: false } }],
        hooks: { draw: [draw] },
      },
      [pts.map((p) => p.x), pts.map((p) => p.y)],
      el,
    );
    const over = plot.over;
    const onClick = (e: MouseEvent) => {
      const r = over.getBoundingClientRect();
      const x = e.clientX - r.left;
      const y = e.clientY - r.top;
      let best: TraceSummary | null = null;
      let bestD = 20 * 20;
      for (const p of pts) {
        const dx = plot.valToPos(p.x, "x") - x;
        const dy = plot.valToPos(p.y, "y") - y;
        if (dx * dx + dy * dy < bestD) {
          bestD = dx * dx + dy * dy;
          best = p.t;
        }
      }
      if (best) navigate(`/trace/${best.trace_id}`);
    };
    over.addEventListener("click", onClick);
    over.style.cursor = "pointer";
    const ro = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 180 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [traces, utc]);
  return <div class="scatter" ref={box} aria-label="traces by start time and duration; click a point to open it" />;
}
