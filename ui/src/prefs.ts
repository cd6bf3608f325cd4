// The reader's settings kept across visits: theme and time zone.
import { useEffect, useState } from "preact/hooks";

type Prefs = { theme: "dark" | "light"; utc: boolean };
const listeners = new Set<() => void>();

function load(): Prefs {
  const dark = window.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
  return {
    theme: (localStorage.getItem("callpath.theme") as Prefs["theme"]) ?? (dark ? "dark" : "light"),
    utc: localStorage.getItem("callpath.utc") !== "false",
  };
}

let prefs = load();

export function applyTheme() {
  document.documentElement.dataset.theme = prefs.theme;
}

export function setPrefs(p: Partial<Prefs>) {
  prefs = { ...prefs, ...p };
  localStorage.setItem("callpath.theme", prefs.theme);
  localStorage.setItem("callpath.utc", String(prefs.utc));
  applyTheme();
  listeners.forEach((l) => l());
}

export function usePrefs(): Prefs {
  const [, force] = useState(0);
  useEffect(() => {
    const l = () => force((x) => x + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return prefs;
}
