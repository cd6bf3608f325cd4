import { useState } from "preact/hooks";

// Copies `text` to the clipboard and says so for a moment.
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <button class="copy" title={label} aria-label={label}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          // Clipboard refused (no secure context): select-and-copy fallback.
          const t = document.createElement("textarea");
          t.value = text;
          document.body.appendChild(t);
          t.select();
          document.execCommand("copy");
          t.remove();
        }
        setDone(true);
        setTimeout(() => setDone(false), 1200);
      }}>
      {done ? "copied" : label}
    </button>
  );
}
