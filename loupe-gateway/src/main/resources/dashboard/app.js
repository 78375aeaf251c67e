// The dashboard: polls the admin API with the session cookie; every change sends the CSRF token.
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const COLORS = { decrypt: "#1565c0", bypass: "#6a1b9a", block: "#c62828", relay: "#2e7d32", http: "#ef6c00",
  exchanges: "#1565c0", open: "#777", bytes: "#00838f" };
let latestRecords = [];

async function get(path) {
  const r = await fetch(path, { credentials: "same-origin", headers: { "Accept": "application/json" } });
  if (r.status === 401) { location.href = "/ui/login"; throw new Error("signed out"); }
  return r.json();
}

async function send(method, path, body) {
  const r = await fetch(path, { method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: body === undefined ? undefined : JSON.stringify(body) });
  document.getElementById("message").textContent = r.ok ? "" : ((await r.json()).error || String(r.status));
  refresh();
}

function cell(tr, text, className) {
  const td = document.createElement("td"); td.textContent = text ?? "";
  if (className) td.className = className;
  tr.appendChild(td); return td;
}

function rows(id, items, fill) {
  const body = document.querySelector("#" + id + " tbody");
  body.replaceChildren();
  for (const item of items) { const tr = document.createElement("tr"); fill(tr, item); body.appendChild(tr); }
}

function pairs(id, entries, boxed) {
  const dl = document.getElementById(id);
  dl.replaceChildren();
  for (const [k, v] of entries) {
    const dt = document.createElement("dt"); dt.textContent = k; const dd = document.createElement("dd"); dd.textContent = v;
    if (boxed) { const div = document.createElement("div"); div.append(dt, dd); dl.appendChild(div); }
    else dl.append(dt, dd);
  }
}

function human(n) {
  if (n === null || n === undefined) return "";
  const units = ["", "k", "M", "G", "T"]; let i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return (i === 0 ? Math.round(n * 10) / 10 : n.toFixed(1)) + units[i];
}

// One SVG line chart: series is {name: [values]}, one point per sample; the x axis spans what is kept (up to an
// hour), at least five minutes, newest on the right.
function chart(id, series, every) {
  const svg = document.getElementById(id);
  svg.replaceChildren();
  const count = Math.max(2, ...Object.values(series).map(v => v.length));
  const span = Math.max(300 / every, count);
  svg.setAttribute("viewBox", "0 0 " + (span - 1) + " 120");
  const all = Object.values(series).flat();
  const max = Math.max(1, ...all);
  const legend = document.getElementById("legend-" + id.replace("chart-", ""));
  legend.replaceChildren();
  for (const [name, values] of Object.entries(series)) {
    const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    const offset = span - values.length;
    line.setAttribute("points", values.map((v, i) => (offset + i) + "," + (118 - 114 * v / max)).join(" "));
    line.setAttribute("stroke", COLORS[name] || "#444");
    svg.appendChild(line);
    const item = document.createElement("span"); const swatch = document.createElement("i");
    swatch.style.background = COLORS[name] || "#444";
    item.append(swatch, name + " " + human(values.length ? values[values.length - 1] : 0));
    legend.appendChild(item);
  }
  const scale = document.createElement("span");
  scale.textContent = "max " + human(max) + ", last " + Math.round(span * every / 60) + " min";
  legend.appendChild(scale);
}

function host(record) {
  if (record.type === "connection") return record.target || "";
  try { return new URL(record.url).host; } catch (e) { return record.url || ""; }
}

function matches(record, f, clients) {
  const client = record.type === "connection" ? record.client : clients.get(record.connection) || "";
  const icap = (record.icap || []).map(i => i.service + " " + i.result).join(" ");
  const rule = record.type === "connection" ? (record.reason || "") : (record.outcome || "");
  return (!f.host || host(record).toLowerCase().includes(f.host.toLowerCase()))
    && (!f.client || client.includes(f.client))
    && (!f.verdict || (record.type === "connection" && record.verdict === f.verdict))
    && (!f.rule || rule.toLowerCase().includes(f.rule.toLowerCase()))
    && (!f.status || String(record.status ?? "") === f.status)
    && (!f.icap || icap.toLowerCase().includes(f.icap.toLowerCase()));
}

function renderRecords() {
  const f = Object.fromEntries(new FormData(document.getElementById("filters")));
  const clients = new Map(latestRecords.filter(r => r.type === "connection").map(r => [r.id, r.client]));
  rows("sessions", latestRecords.filter(r => matches(r, f, clients)).slice(0, 200), (tr, r) => {
    const connection = r.type === "connection";
    cell(tr, (r.time || "").replace(/^.*T/, "").replace(/(\.\d{3})\d*Z$/, "$1")).title = r.time; cell(tr, r.type);
    cell(tr, connection ? r.client : clients.get(r.connection));
    cell(tr, connection ? r.target : r.method + " " + r.url);
    cell(tr, connection ? r.verdict : String(r.status));
    cell(tr, connection ? r.reason : r.outcome);
    cell(tr, (r.icap || []).map(i => i.service + ": " + i.result).join(", "));
    cell(tr, connection ? human(r.bytes_up + r.bytes_down) : human(r.response_bytes));
    tr.addEventListener("click", () => {
      const pre = document.getElementById("record");
      pre.hidden = false; pre.textContent = JSON.stringify(r, null, 2);
    });
  });
}

async function refresh() {
  const [status, sessions, bypasses, indicators, cluster, history, tools, sources, policy, ca] = await Promise.all([
    get("/api/status"), get("/api/sessions?limit=500"), get("/api/bypasses"), get("/api/indicators?limit=200"),
    get("/api/cluster"), get("/api/history"), get("/api/tools"), get("/api/intel/sources"), get("/api/policy"),
    get("/api/ca")]);
  const badge = document.getElementById("status");
  badge.textContent = status.status; badge.className = "badge " + status.status;
  document.getElementById("node").textContent = cluster.node || "";
  const reload = status.last_reload;
  const reloadText = document.getElementById("reload");
  reloadText.textContent = reload ? "last reload " + reload.result + " at " + reload.at
    + (reload.message ? ": " + reload.message : "") : "";
  reloadText.className = reload && (reload.result === "refused" || reload.result === "invalid") ? "problem" : "";

  const samples = history.samples, every = history.interval_seconds;
  const last = samples.length ? samples[samples.length - 1] : null;
  const perSecond = n => Math.round(10 * (n || 0) / every) / 10;
  pairs("now", [["status", status.problems.join("; ") || "ok"],
    ["open connections", last ? last.open : "…"],
    ["connections/s", last ? perSecond(Object.values(last.connections).reduce((a, b) => a + b, 0)) : "…"],
    ["exchanges/s", last ? perSecond(last.exchanges) : "…"],
    ["bytes/s", last ? human(last.bytes / every) : "…"],
    ["verdict mix (5 s)", last ? Object.entries(last.connections).map(([k, v]) => k + " " + v).join(", ") || "none" : "…"],
    ["pushed indicators", status.indicators_pushed], ["feed indicators", status.indicators_from_feeds],
    ["bypasses granted", bypasses.granted_total],
    ["connections since start", Object.entries(status.connections_by_verdict).map(([k, v]) => k + " " + v).join(", ")]],
    true);
  const verdicts = [...new Set(samples.flatMap(s => Object.keys(s.connections)))];
  chart("chart-connections", Object.fromEntries(verdicts.map(v => [v, samples.map(s => perSecond(s.connections[v]))])),
    every);
  chart("chart-exchanges", { exchanges: samples.map(s => perSecond(s.exchanges)), open: samples.map(s => s.open) }, every);
  chart("chart-bytes", { bytes: samples.map(s => s.bytes / every) }, every);

  latestRecords = sessions.records;
  renderRecords();

  rows("tools", tools.tools.flatMap(t => t.servers.map(s => [t, s])), (tr, [t, s]) => {
    cell(tr, t.name); cell(tr, t.kind); cell(tr, t.failure_mode); cell(tr, s.server);
    cell(tr, s.up ? "up" : "down", s.up ? "up" : "down"); cell(tr, s.requests); cell(tr, s.errors);
    cell(tr, s.mean_ms === null ? "" : s.mean_ms + " ms"); cell(tr, s.last_failure);
  });
  rows("bypasses", bypasses.active, (tr, b) => {
    cell(tr, b.host); cell(tr, b.client); cell(tr, b.until); cell(tr, b.reason);
    const button = document.createElement("button"); button.textContent = "remove"; button.className = "revoke";
    button.addEventListener("click", () => send("DELETE", "/api/bypasses?host=" + encodeURIComponent(b.host)
      + (b.client ? "&client=" + encodeURIComponent(b.client) : "")));
    cell(tr, "").appendChild(button);
  });
  rows("sources", sources.sources, (tr, s) => {
    cell(tr, s.name); cell(tr, s.type + " / " + s.format); cell(tr, s.last_load || "not yet");
    cell(tr, s.indicators); cell(tr, s.malformed);
    cell(tr, Object.entries(s.skipped).map(([k, v]) => k + ": " + v).join("; ")); cell(tr, s.last_error);
  });
  rows("indicators", indicators.indicators.filter(i => i.source === "api"), (tr, i) => {
    cell(tr, i.type); cell(tr, i.value); cell(tr, i.source); cell(tr, i.hits);
    const button = document.createElement("button"); button.textContent = "remove"; button.className = "unblock";
    button.addEventListener("click", () => send("DELETE", "/api/indicators?type=" + encodeURIComponent(i.type)
      + "&value=" + encodeURIComponent(i.value)));
    cell(tr, "").appendChild(button);
  });
  const rules = policy.rules.map((r, i) => [i + 1, r.name, r.action,
    Object.entries(r.when).map(([k, v]) => k + ": " + v.join(", ")).join("; "), policy.hits[r.name] || 0]);
  rules.push(["", "default", policy.default, "no rule matched", policy.hits["default"] || 0]);
  if (policy.hits["auto-bypass"]) rules.push(["", "auto-bypass", "bypass", "learned", policy.hits["auto-bypass"]]);
  rows("rules", rules, (tr, r) => r.forEach(v => cell(tr, String(v))));
  pairs("ca", [["subject", ca.subject], ["SHA-256", ca.sha256], ["signature", ca.signature],
    ["valid", ca.not_before + " to " + ca.not_after]]);
  const links = document.createElement("dd");
  for (const [text, href] of [["install page", ca.page], ["PEM", ca.pem], ["DER", ca.der]]) {
    const a = document.createElement("a"); a.href = href; a.textContent = text; links.append(a, " ");
  }
  const dt = document.createElement("dt"); dt.textContent = "download";
  document.getElementById("ca").append(dt, links);
  rows("cluster", cluster.nodes, (tr, n) => { cell(tr, n.node); cell(tr, n.state); cell(tr, n.heartbeat_age_ms + " ms");
    cell(tr, n.flags.join(", ")); });
}

document.getElementById("push").addEventListener("submit", e => {
  e.preventDefault();
  const f = new FormData(e.target);
  send("POST", "/api/indicators", { type: f.get("type"), value: f.get("value"), source: "api" });
});
document.getElementById("filters").addEventListener("input", renderRecords);
document.getElementById("filters").addEventListener("submit", e => e.preventDefault());
refresh();
setInterval(refresh, 2000);
