// The one open question for an API key (lib/api_key.ts asks it; the
// KeyDialog in the shell shows it). Calls made before the dialog is drawn
// (the trace page's early skeleton request) wait for it the same way.
import type { KeyReason } from "./lib/api_key";

export interface KeyQuestion {
  reason: KeyReason;
  answer: (key: string | null) => void;
}

let open: KeyQuestion | null = null;
const listeners = new Set<() => void>();

export function askForKey(reason: KeyReason): Promise<string | null> {
  return new Promise((resolve) => {
    open = {
      reason,
      answer: (key) => {
        open = null;
        listeners.forEach((l) => l());
        resolve(key);
      },
    };
    listeners.forEach((l) => l());
  });
}

export function currentKeyQuestion(): KeyQuestion | null {
  return open;
}

export function onKeyQuestion(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
