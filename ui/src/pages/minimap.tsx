// The whole trace in a strip: every span as a line (time across, tree order
// down), the zoom window shaded. Drag to zoom into a stretch of time;
// double-click (or "reset zoom") shows the whole trace again.
import { useEffect, useRef, useState } from "preact/hooks";
import type { TraceModel } from "../lib/skeleton";
import type { Window } from "../lib/critical";
import { usePrefs } from "../prefs";
import { hslToRgb, serviceHue } from "./colors";
import { ERROR_CELL, minimapPixels } from "../lib/minimap";

const HEIGHT = 64;

export function Minimap({ m, window: w, onZoom }: { m: TraceModel; window: Window; onZoom(w: Window): void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);
  const prefs = usePrefs();
  useEffect(() => {
    // After the waterfall's first rows are on screen.
    const timer = setTimeout(() => {
      const c = canvas.current;
      if (!c) return;
      const width = Math.max(1, Math.floor(c.clientWidth || 800));
      c.width = width;
      c.height = HEIGHT;
      const g = c.getContext("2d")!;
      const px = minimapPixels(m, width, HEIGHT);
      const rgb = m.services.map((s) => hslToRgb(serviceHue(s), prefs.theme === "dark" ? 0.45 : 0.55, prefs.theme === "dark" ? 0.58 : 0.52));
      const img = g.createImageData(width, HEIGHT);
      for (let k = 0; k < px.cells.length; k++) {
        const v = px.cells[k];
        if (v === 0) continue;
        const [r, gr, b] = v === ERROR_CELL ? [229, 57, 53] : rgb[v - 1];
        img.data[k * 4] = r;
        img.data[k * 4 + 1] = gr;
        img.data[k * 4 + 2] = b;
        img.data[k * 4 + 3] = 255;
      }
      g.putImageData(img, 0, 0);
    }, 0);
    return () => clearTimeout(timer);
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
      <canvas ref={canvas} style={{ width: "100%", height: HEIGHT + "px", imageRendering: "pixelated" }} aria-label="trace overview" />
      <div class="minimap-shade" style={{ left: 0, width: shade.a * 100 + "%" }} />
      <div class="minimap-shade" style={{ left: shade.b * 100 + "%", right: 0 }} />
      <div class="minimap-window" style={{ left: shade.a * 100 + "%", width: (shade.b - shade.a) * 100 + "%" }} />
    </div>
  );
}
