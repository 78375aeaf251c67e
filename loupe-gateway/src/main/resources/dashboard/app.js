// The dashboard: polls the admin API with the session cookie; every change sends the CSRF token.
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]').content;

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

function cell(tr, text) { const td = document.createElement("td"); td.textContent = text ?? ""; tr.appendChild(td); return td; }

function rows(id, items, fill) {
  const body = document.querySelector("#" + id + " tbody");
  body.replaceChildren();
  for (const item of items) { const tr = document.createElement("tr"); fill(tr, item); body.appendChild(tr); }
}

async function refresh() {
  const [status, sessions, bypasses, indicators, cluster] = await Promise.all([get("/api/status"),
    get("/api/sessions?limit=100"), get("/api/bypasses"), get("/api/indicators?limit=200"), get("/api/cluster")]);
  const badge = document.getElementById("status");
  badge.textContent = status.status; badge.className = "badge " + status.status;
  document.getElementById("node").textContent = cluster.node || "";
  const now = document.getElementById("now");
  now.replaceChildren();
  for (const [k, v] of [["problems", status.problems.join("; ") || "none"], ["pushed indicators", status.indicators_pushed],
      ["feed indicators", status.indicators_from_feeds], ["bypasses granted", bypasses.granted_total]]) {
    const dt = document.createElement("dt"); dt.textContent = k; const dd = document.createElement("dd"); dd.textContent = v;
    now.append(dt, dd);
  }
  const filter = document.getElementById("filter").value.toLowerCase();
  rows("sessions", sessions.records.filter(r => r.type === "connection" && (!filter
      || JSON.stringify(r).toLowerCase().includes(filter))), (tr, r) => {
    cell(tr, r.time); cell(tr, r.client); cell(tr, r.target); cell(tr, r.verdict); cell(tr, r.reason);
    cell(tr, (r.bytes_up + r.bytes_down).toString());
  });
  rows("bypasses", bypasses.active, (tr, b) => {
    cell(tr, b.host); cell(tr, b.client); cell(tr, b.until); cell(tr, b.reason);
    const button = document.createElement("button"); button.textContent = "remove"; button.className = "revoke";
    button.addEventListener("click", () => send("DELETE", "/api/bypasses?host=" + encodeURIComponent(b.host)
      + (b.client ? "&client=" + encodeURIComponent(b.client) : "")));
    cell(tr, "").appendChild(button);
  });
  rows("indicators", indicators.indicators.filter(i => i.source === "api"), (tr, i) => {
    cell(tr, i.type); cell(tr, i.value); cell(tr, i.source); cell(tr, i.hits);
    const button = document.createElement("button"); button.textContent = "remove"; button.className = "unblock";
    button.addEventListener("click", () => send("DELETE", "/api/indicators?type=" + encodeURIComponent(i.type)
      + "&value=" + encodeURIComponent(i.value)));
    cell(tr, "").appendChild(button);
  });
  rows("cluster", cluster.nodes, (tr, n) => { cell(tr, n.node); cell(tr, n.state); cell(tr, n.heartbeat_age_ms + " ms");
    cell(tr, n.flags.join(", ")); });
}

document.getElementById("push").addEventListener("submit", e => {
  e.preventDefault();
  const f = new FormData(e.target);
  send("POST", "/api/indicators", { type: f.get("type"), value: f.get("value"), source: "api" });
});
document.getElementById("filter").addEventListener("input", refresh);
refresh();
setInterval(refresh, 2000);
