// A stable colour per service, from the theme's saturation and lightness.
export function serviceHue(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return (h >>> 0) % 360;
}

export function serviceColor(name: string): string {
  return `hsl(${serviceHue(name)} var(--svc-s) var(--svc-l))`;
}

// For pixel drawing, where CSS variables do not apply (s, l in 0..1).
export function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}
