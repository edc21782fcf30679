/**
 * The status page: one self-contained HTML document (no external assets, so it works on an
 * air-gapped ops port) that fetches `status.json` every few seconds and redraws. Values are set
 * with textContent only: nothing from the worker is ever parsed as HTML. Element ids are stable;
 * the browser test reads them.
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ixc-iot-sync status</title>
<style>
  :root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --mute: #57606a; --line: #d0d7de; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.2rem; color: #1f2328; background: #f6f8fa; }
  h1 { font-size: 1.3rem; margin: 0 0 .6rem; } h2 { font-size: 1rem; margin: 0 0 .5rem; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(320px, 100%), 1fr)); gap: .8rem; }
  /* Laid out for 1280 px and narrower: grid items may shrink below their content, and long
     cells (endpoints, topics, errors) wrap instead of pushing the table out of its card. */
  section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .7rem .9rem; min-width: 0; }
  section.wide { grid-column: 1 / -1; }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .2rem .4rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
  th { color: var(--mute); font-weight: 600; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
  .badge { display: inline-block; padding: .1rem .5rem; border-radius: 1rem; color: #fff; font-weight: 600; }
  .ok { background: var(--ok); } .bad { background: var(--bad); } .warn { background: var(--warn); }
  .big { font-size: 1.6rem; font-weight: 600; font-variant-numeric: tabular-nums; } .mute { color: var(--mute); }
  ul { margin: .3rem 0 0 1.1rem; padding: 0; } .kv td:first-child { color: var(--mute); width: 45%; }
</style>
</head>
<body>
<h1>ixc-iot-sync <span id="ready" class="badge warn">loading</span> <span class="mute" id="updated"></span></h1>
<ul id="reasons"></ul>
<div class="grid">
  <section><h2>Connector</h2>
    <table class="kv"><tbody>
      <tr><td>name</td><td id="connector-name"></td></tr>
      <tr><td>state</td><td><span id="connector-state" class="badge warn"></span></td></tr>
      <tr><td>tasks</td><td id="connector-tasks"></td></tr>
      <tr><td>heartbeat age</td><td id="heartbeat-age"></td></tr>
      <tr><td>detail</td><td id="connector-detail" class="mute"></td></tr>
    </tbody></table>
  </section>
  <section><h2>Work set</h2>
    <table class="kv"><tbody>
      <tr><td>backlog (dirty, not parked)</td><td class="big" id="backlog"></td></tr>
      <tr><td>oldest mark age</td><td id="backlog-age"></td></tr>
      <tr><td>in flight (leased)</td><td id="leased"></td></tr>
      <tr><td>dead-letter topic records</td><td id="dlq-count"></td></tr>
      <tr><td>configuration fault</td><td id="config-fault"></td></tr>
    </tbody></table>
    <h2 style="margin-top:.6rem">Parked by reason</h2>
    <table><thead><tr><th>reason</th><th class="n">contracts</th></tr></thead><tbody id="parked"></tbody></table>
  </section>
  <section class="wide"><h2>Consumer lag <span class="mute" id="lag-summary"></span></h2>
    <p style="margin:0 0 .4rem">Source lag (Debezium behind the binlog): <b id="source-lag">–</b></p>
    <table><thead><tr><th>topic</th><th class="n">partition</th><th class="n">committed</th><th class="n">high watermark</th>
      <th class="n">lag (records)</th><th class="n">lag (seconds)</th><th class="n">no progress for</th></tr></thead>
      <tbody id="lag"></tbody></table>
  </section>
  <section><h2>Reconciles by outcome</h2>
    <table><thead><tr><th>outcome</th><th class="n">count</th></tr></thead><tbody id="reconciles"></tbody></table>
  </section>
  <section><h2>API calls</h2>
    <table><thead><tr><th>endpoint</th><th>status</th><th class="n">count</th></tr></thead><tbody id="api"></tbody></table>
  </section>
  <section><h2>Breakers</h2>
    <table><thead><tr><th>breaker</th><th>state</th><th class="n">for</th></tr></thead><tbody id="breakers"></tbody></table>
  </section>
  <section class="wide"><h2>Held changes (blast-radius guard) <span class="mute">release with reconcile --confirm &lt;change&gt;</span></h2>
    <table><thead><tr><th class="n">change</th><th>origin</th><th class="n">revocations/cancellations</th><th class="n">contracts</th><th>sample</th><th>held since</th></tr></thead>
      <tbody id="held"></tbody></table>
  </section>
  <section class="wide"><h2>Recent failures (unsettled)</h2>
    <table><thead><tr><th class="n">contract</th><th>error</th><th class="n">attempts</th><th>parked</th><th class="n">age</th></tr></thead>
      <tbody id="failures"></tbody></table>
  </section>
</div>
<script>
"use strict";
var REFRESH_MS = 3000;
function $(id) { return document.getElementById(id); }
function text(id, value) { $(id).textContent = value === null || value === undefined ? "–" : String(value); }
function dur(s) {
  if (s === null || s === undefined) return "–";
  if (s < 90) return s.toFixed(s < 10 ? 1 : 0) + " s";
  if (s < 5400) return (s / 60).toFixed(1) + " min";
  return (s / 3600).toFixed(1) + " h";
}
function badge(id, label, cls) { var el = $(id); el.textContent = label; el.className = "badge " + cls; }
function rows(id, list, cells, empty) {
  var body = $(id); body.replaceChildren();
  if (list.length === 0) { list = [null]; }
  list.forEach(function (item) {
    var tr = document.createElement("tr");
    var values = item === null ? [empty || "none"] : cells(item);
    values.forEach(function (v, i) {
      var td = document.createElement("td");
      if (item !== null && typeof v === "number") td.className = "n";
      if (item === null) { td.className = "mute"; td.colSpan = 9; }
      td.textContent = v === null || v === undefined ? "–" : String(v);
      tr.appendChild(td);
    });
    if (item !== null && item.rowKey) tr.setAttribute("data-key", item.rowKey);
    body.appendChild(tr);
  });
}
function render(s) {
  badge("ready", s.readiness.ready ? "ready" : "not ready", s.readiness.ready ? "ok" : "bad");
  text("updated", "updated " + new Date(s.generatedAt).toLocaleTimeString());
  var reasons = $("reasons"); reasons.replaceChildren();
  s.readiness.reasons.forEach(function (r) { var li = document.createElement("li"); li.textContent = r; reasons.appendChild(li); });

  var c = s.connector;
  text("connector-name", c.name);
  badge("connector-state", c.state, c.state === "RUNNING" ? "ok" : "bad");
  text("connector-tasks", c.tasks.length ? c.tasks.map(function (t) { return t.id + ": " + t.state; }).join(", ") : "none");
  text("heartbeat-age", dur(c.heartbeatAgeSeconds));
  text("connector-detail", c.detail || "");

  var w = s.workSet;
  text("backlog", w.ok ? w.backlog : "unknown (" + w.error + ")");
  text("backlog-age", dur(w.oldestAgeSeconds));
  text("leased", w.leased);
  text("dlq-count", s.dlq.topicRecords);
  text("config-fault", s.configurationFault ? s.configurationFault.message + " (" + dur(s.configurationFault.forSeconds) + ")" : "none");
  rows("parked", Object.keys(w.parkedByReason).map(function (k) { return { reason: k, n: w.parkedByReason[k] }; }),
    function (p) { return [p.reason, p.n]; }, "nothing parked");

  var src = c.source;
  text("source-lag", !src ? "unknown (no CONNECT_METRICS_URL)" : src.lagMs === null ? "unknown (" + (src.detail || "no value") + ")" :
    dur(src.lagMs / 1000) + (src.connected === false ? ", binlog disconnected" : "") + (src.snapshotRunning ? ", snapshot running" : ""));

  var l = s.lag, now = Date.parse(s.generatedAt);
  text("lag-summary", l.ok ? "group " + l.groupId + ": " + l.totalLag + " records behind, oldest " + dur(l.maxLagSeconds) +
    (l.checkedAt ? " (measured " + dur((now - l.checkedAt) / 1000) + " ago)" : "") : "unknown: " + l.error);
  rows("lag", l.partitions.map(function (p) { p.rowKey = p.topic + "/" + p.partition; return p; }), function (p) {
    return [p.topic, p.partition, p.committedOffset === null ? "none" : Number(p.committedOffset), Number(p.highWatermark), p.lag,
      p.lagSeconds === null ? "measuring" : Number(p.lagSeconds.toFixed(1)), p.lag > 0 ? dur((now - p.lastProgressAt) / 1000) : "caught up"];
  }, l.ok ? "no partitions" : "unknown");

  rows("reconciles", Object.keys(s.reconciles).map(function (k) { return { o: k, n: s.reconciles[k] }; }),
    function (r) { return [r.o, r.n]; }, "none yet");
  rows("api", s.api, function (a) { return [a.endpoint, a.status, a.count]; }, "no calls yet");
  rows("breakers", s.breakers, function (b) { return [b.name, b.state, dur(b.forSeconds)]; }, "all closed");
  rows("held", (w.heldChanges || []).map(function (c) { c.rowKey = "change-" + c.id; return c; }), function (c) {
    return [Number(c.id), c.origin, c.destructive, c.contracts, c.sample.join(", "), c.heldAt || "–"];
  }, "no change held");
  rows("failures", w.recentFailures, function (f) {
    return [f.contractId, f.error, f.attempts, f.parkedReason || "", dur(f.ageSeconds)];
  }, "no unsettled failures");
}
function refresh() {
  fetch("status.json", { cache: "no-store", credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(render)
    .catch(function (e) { badge("ready", "unreachable: " + e.message, "bad"); })
    .finally(function () { setTimeout(refresh, REFRESH_MS); });
}
refresh();
</script>
</body>
</html>
`;
