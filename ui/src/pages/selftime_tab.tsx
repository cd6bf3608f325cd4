// Where the time went: self time per service and operation, largest first.
import type { SelfTimeRow } from "../lib/selftime";
import { fmtDuration } from "../lib/format";
import { serviceColor } from "./colors";

export function SelfTimeTab({ rows, onFind }: { rows: SelfTimeRow[]; onFind(text: string): void }) {
  return (
    <div class="page">
      <table class="grid selftime">
        <thead>
          <tr><th>service</th><th>operation</th><th class="num">spans</th><th class="num">errors</th>
            <th class="num">total duration</th><th class="num">self time</th><th class="num">max self</th><th class="num">% of trace</th></tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.service + "\u0000" + r.operation}>
              <td><span class="dot" style={{ background: serviceColor(r.service) }} />{r.service}</td>
              <td><button class="linklike" title="find these spans in the waterfall" onClick={() => onFind(r.operation)}>{r.operation}</button></td>
              <td class="num">{r.count}</td>
              <td class={"num" + (r.errors ? " err" : "")}>{r.errors}</td>
              <td class="num">{fmtDuration(r.totalNs)}</td>
              <td class="num">{fmtDuration(r.selfNs)}</td>
              <td class="num">{fmtDuration(r.maxSelfNs)}</td>
              <td class="num">{(r.share * 100).toFixed(1)} %</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
