// A stable colour per service, from the theme's saturation and lightness.
export function serviceHue(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return (h >>> 0) % 360;
}

export function serviceColor(name: string): string {
  return `hsl(${serviceHue(name)} var(--svc-s) var(--svc-l))`;
}

// For canvas drawing, where CSS variables do not apply.
export function serviceColorFixed(name: string, dark: boolean): string {
  return `hsl(${serviceHue(name)} ${dark ? 45 : 55}% ${dark ? 58 : 52}%)`;
}
