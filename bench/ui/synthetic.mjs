// Synthetic traces of any size as OTLP/JSON requests: a tree of fan-out 4
// (depth ~9 at 200k spans) over 24 services and 120 operations, every
// child inside its parent's time, one span in 400 erroring and one log
// record per 40 spans. Deterministic for a given size (seeded generator).

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const hex = (n, width) => n.toString(16).padStart(width, "0");

export function traceIdFor(spans) {
  return hex(0xb0000000 + spans, 8).padStart(32, "0");
}

// Yields request bodies ({kind: "traces"|"logs", body}) of at most
// `perRequest` spans each.
export function* syntheticTrace(spans, startNs, perRequest = 5000) {
  const rand = rng(spans);
  const traceId = traceIdFor(spans);
  const start = new Array(spans);
  const dur = new Array(spans);
  const rootDur = 20e9;
  start[0] = 0;
  dur[0] = rootDur;
  const services = Array.from({ length: 24 }, (_, k) => `svc-${k}`);
  for (let from = 0; from < spans; from += perRequest) {
    const to = Math.min(spans, from + perRequest);
    const bySvc = new Map();
    const logs = [];
    for (let i = from; i < to; i++) {
      const parent = i === 0 ? -1 : Math.floor((i - 1) / 4);
      if (i > 0) {
        const ps = start[parent];
        const pd = dur[parent];
        start[i] = ps + Math.floor(rand() * pd * 0.6);
        dur[i] = Math.max(1000, Math.floor(pd * (0.05 + rand() * 0.35)));
      }
      const svc = i === 0 ? 0 : (parent % 23) + 1;
      const s = {
        traceId,
        spanId: hex(i + 1, 16),
        name: `op-${(i * 7) % 120}`,
        kind: 2,
        startTimeUnixNano: String(startNs + BigInt(start[i])),
        endTimeUnixNano: String(startNs + BigInt(start[i] + dur[i])),
        attributes: [{ key: "synthetic.index", value: { intValue: String(i) } }],
      };
      if (parent >= 0) s.parentSpanId = hex(parent + 1, 16);
      if (i % 400 === 399) s.status = { code: 2, message: "synthetic failure" };
      if (!bySvc.has(svc)) bySvc.set(svc, []);
      bySvc.get(svc).push(s);
      if (i % 40 === 0) {
        logs.push({ svc, rec: {
          timeUnixNano: String(startNs + BigInt(start[i] + Math.floor(dur[i] / 2))),
          severityNumber: i % 400 === 0 ? 17 : 9,
          body: { stringValue: `synthetic log line of span ${i}` },
          traceId,
          spanId: hex(i + 1, 16),
        } });
      }
    }
    const resourceSpans = Array.from(bySvc, ([svc, list]) => ({
      resource: { attributes: [{ key: "service.name", value: { stringValue: services[svc] } }] },
      scopeSpans: [{ scope: { name: "synthetic" }, spans: list }],
    }));
    yield { kind: "traces", body: JSON.stringify({ resourceSpans }) };
    if (logs.length) {
      const resourceLogs = logs.map(({ svc, rec }) => ({
        resource: { attributes: [{ key: "service.name", value: { stringValue: services[svc] } }] },
        scopeLogs: [{ logRecords: [rec] }],
      }));
      yield { kind: "logs", body: JSON.stringify({ resourceLogs }) };
    }
  }
}
