// /trace/{a}...{b}: two traces merged by service/operation path: what is
// only in one, what got slower or faster, where the status changed. When
// the server answers /api/v1/compare, its findings (log templates only in
// one trace among them) are listed above the tree.
import { useEffect, useState } from "preact/hooks";
import { getJson, getOptional } from "../api";
import { buildModel, type SkeletonJson, type TraceModel } from "../lib/skeleton";
import { changeOf, mergeTraces, type CompareNode } from "../lib/compare";
import { fmtDuration } from "../lib/format";
import { serviceColor } from "./colors";

const LABEL: Record<string, string> = { "only-a": "only in A", "only-b": "only in B", slower: "slower in B", faster: "faster in B", status: "status changed", same: "" };

// Strings worth showing from the server's compare answer, whatever its
// exact shape: every "summary" or "text" found in it.
export function findingsOf(answer: unknown, out: string[] = []): string[] {
  if (Array.isArray(answer)) answer.forEach((x) => findingsOf(x, out));
  else if (answer && typeof answer === "object") {
    for (const [k, v] of Object.entries(answer)) {
      if ((k === "summary" || k === "text") && typeof v === "string") out.push(v);
      else findingsOf(v, out);
    }
  }
  return out;
}

function Cell({ side }: { side: CompareNode["a"] }) {
  if (!side) return <td class="num muted">—</td>;
  return <td class={"num" + (side.errors ? " err" : "")}>{fmtDuration(side.totalNs)}{side.count > 1 ? ` ×${side.count}` : ""}{side.errors ? " ✕" : ""}</td>;
}

export function ComparePage({ a, b }: { a: string; b: string }) {
  const [models, setModels] = useState<[TraceModel, TraceModel] | null>(null);
  const [findings, setFindings] = useState<string[]>([]);
  const [error, setError] = useState("");
  const [onlyChanges, setOnlyChanges] = useState(false);
  useEffect(() => {
    document.title = `Compare ${a.slice(0, 8)} … ${b.slice(0, 8)} — callpath`;
    Promise.all([a, b].map((id) => getJson<SkeletonJson>(`/api/v1/traces/${id}/skeleton`).then(buildModel)))
      .then(([x, y]) => setModels([x, y]))
      .catch((e) => setError(String(e.message ?? e)));
    getOptional<unknown>(`/api/v1/compare?a=${a}&b=${b}`).then((r) => r && setFindings(findingsOf(r).slice(0, 20))).catch(() => undefined);
  }, [a, b]);
  if (error) return <div class="page"><div class="error-box">{error}</div></div>;
  if (!models) return <div class="page muted">Loading both traces…</div>;
  const nodes = mergeTraces(models[0], models[1]);
  const shown = onlyChanges ? nodes.filter((n) => changeOf(n) !== "same") : nodes;
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(changeOf(n), (counts.get(changeOf(n)) ?? 0) + 1);
  return (
    <div class="page compare-page">
      <h1 class="compare-title">
        Compare <a class="mono" href={`/trace/${a}`}>A {a.slice(0, 12)}</a> ({fmtDuration(models[0].durationNs)}, {models[0].n} spans)
        {" "}with <a class="mono" href={`/trace/${b}`}>B {b.slice(0, 12)}</a> ({fmtDuration(models[1].durationNs)}, {models[1].n} spans)
      </h1>
      <div class="toolbar">
        {["only-a", "only-b", "slower", "faster", "status"].map((c) => <span key={c} class={"chip change-" + c}>{LABEL[c]}: {counts.get(c) ?? 0}</span>)}
        <label class="inline"><input type="checkbox" checked={onlyChanges} onChange={() => setOnlyChanges(!onlyChanges)} /> only changes</label>
      </div>
      {findings.length > 0 && <ul class="findings">{findings.map((f, k) => <li key={k}>{f}</li>)}</ul>}
      <table class="grid compare">
        <thead><tr><th>service / operation</th><th class="num">A</th><th class="num">B</th><th>change</th></tr></thead>
        <tbody>
          {shown.map((n) => {
            const c = changeOf(n);
            return (
              <tr key={n.key} class={"change-" + c}>
                <td style={{ paddingLeft: 8 + n.depth * 16 + "px" }}><span class="dot" style={{ background: serviceColor(n.service) }} /><b>{n.service}</b> {n.operation}</td>
                <Cell side={n.a} />
                <Cell side={n.b} />
                <td class="change">{LABEL[c]}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
