// The question for an API key, shown when the server answered 401 (a
// callpathd with --keys-file): what is needed, where it comes from, and,
// after a refusal, that the key was refused. Modal; Esc or Cancel declines.
import { useEffect, useRef, useState } from "preact/hooks";
import { currentKeyQuestion, onKeyQuestion } from "../key_prompt";

export function KeyDialog() {
  const [question, setQuestion] = useState(currentKeyQuestion());
  const [key, setKey] = useState("");
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => onKeyQuestion(() => setQuestion(currentKeyQuestion())), []);
  useEffect(() => {
    if (!question) return;
    setKey("");
    input.current?.focus();
    // Modal: the page behind takes no focus or clicks while the question is open.
    const behind = Array.from(document.querySelectorAll("header.top, main"));
    behind.forEach((el) => el.setAttribute("inert", ""));
    return () => behind.forEach((el) => el.removeAttribute("inert"));
  }, [question]);
  if (!question) return null;
  const refused = question.reason === "refused";
  return (
    <div class="key-backdrop" role="dialog" aria-modal="true" aria-labelledby="key-title">
      <form
        class="key-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) question.answer(key.trim());
        }}
        onKeyDown={(e) => e.key === "Escape" && question.answer(null)}
      >
        <h2 id="key-title">API key needed</h2>
        {refused && (
          <p class="err" role="alert">
            The server refused that key. Check that it is complete and has the <b>query</b> scope.
          </p>
        )}
        <p>
          This callpathd accepts only requests with an API key. Paste a key with the <b>query</b> scope (made with{" "}
          <code>callpathd key new --keys-file FILE --tenant T --scopes query</code>). It is kept for this browser tab
          only and sent with every request as <code>Authorization: Bearer</code>.
        </p>
        <label>
          API key{" "}
          <input ref={input} type="password" autocomplete="off" spellcheck={false} value={key} size={40}
            onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        </label>
        <div class="key-actions">
          <button type="submit" disabled={!key.trim()}>Use key</button>
          <button type="button" onClick={() => question.answer(null)}>Cancel</button>
        </div>
      </form>
    </div>
  );
}
