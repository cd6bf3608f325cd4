// The whole trace in a strip: every span as a line (time across, tree order
// down), the zoom window shaded. Drag to zoom into a stretch of time;
// double-click (or "reset zoom") shows the whole trace again.
import { useEffect, useRef, useState } from "preact/hooks";
import type { TraceModel } from "../lib/skeleton";
import type { Window } from "../lib/critical";
import { usePrefs } from "../prefs";
import { serviceColorFixed } from "./colors";

const HEIGHT = 64;

export function Minimap({ m, window: w, onZoom }: { m: TraceModel; window: Window; onZoom(w: Window): void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);
  const prefs = usePrefs();
  useEffect(() => {
    const c = canvas.current!;
    const width = c.clientWidth || 800;
    const dpr = window.devicePixelRatio || 1;
    c.width = width * dpr;
    c.height = HEIGHT * dpr;
    const g = c.getContext("2d")!;
    g.scale(dpr, dpr);
    g.clearRect(0, 0, width, HEIGHT);
    const total = m.durationNs || 1;
    const colors = m.services.map((s) => serviceColorFixed(s, prefs.theme === "dark"));
    const rowH = HEIGHT / Math.max(m.n, 1);
    // Big traces: draw every span, but at most one pixel row per span.
    let last = "";
    for (let i = 0; i < m.n; i++) {
      const x = (m.start[i] / total) * width;
      const wd = Math.max((m.duration[i] / total) * width, 1);
      const style = m.status[i] === 2 ? "#e53935" : colors[m.service[i]];
      if (style !== last) g.fillStyle = last = style;
      g.fillRect(x, i * rowH, wd, Math.max(rowH, 1));
    }
  }, [m, prefs.theme]);
  const frac = (e: MouseEvent) => {
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    return Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
  };
  const total = m.durationNs || 1;
  const shade = drag ? { a: Math.min(drag.a, drag.b), b: Math.max(drag.a, drag.b) } : { a: w.from / total, b: w.to / total };
  return (
    <div class="minimap" title="drag to zoom; double-click to see the whole trace"
      onMouseDown={(e) => { const f = frac(e); setDrag({ a: f, b: f }); }}
      onMouseMove={(e) => drag && setDrag({ a: drag.a, b: frac(e) })}
      onMouseUp={() => {
        if (drag) {
          const a = Math.min(drag.a, drag.b);
          const b = Math.max(drag.a, drag.b);
          if (b - a > 0.002) onZoom({ from: a * total, to: b * total });
        }
        setDrag(null);
      }}
      onMouseLeave={() => setDrag(null)}
      onDblClick={() => onZoom({ from: 0, to: total })}>
      <canvas ref={canvas} style={{ width: "100%", height: HEIGHT + "px" }} aria-label="trace overview" />
      <div class="minimap-shade" style={{ left: 0, width: shade.a * 100 + "%" }} />
      <div class="minimap-shade" style={{ left: shade.b * 100 + "%", right: 0 }} />
      <div class="minimap-window" style={{ left: shade.a * 100 + "%", width: (shade.b - shade.a) * 100 + "%" }} />
    </div>
  );
}
