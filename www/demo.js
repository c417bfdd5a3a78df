// The demo page: tokenflight against the reference server, with a timeline of what happened.
// Network calls are observed through tokenflight's `fetch` option (a recording wrapper around
// window.fetch); nothing here reads or stores a token.
import { createTokenManager } from "../pkg/index.js";

const $ = (id) => document.getElementById(id);
const network = []; // { url, start, end, status, authorized }

async function recordingFetch(input, init) {
  const request = new Request(input, init);
  const entry = { url: new URL(request.url).pathname + new URL(request.url).search, start: performance.now(), authorized: request.headers.has("authorization") };
  network.push(entry);
  try {
    const response = await fetch(request);
    entry.status = response.status;
    return response;
  } catch (error) {
    entry.status = "error";
    throw error;
  } finally {
    entry.end = performance.now();
  }
}

const auth = await createTokenManager({
  refreshUrl: "/api/token/refresh/",
  loginUrl: "/api/token/",
  logoutUrl: "/api/logout/",
  refreshTimeoutMs: 5000,
  errorCodes: { TOKEN_EXPIRED: "refresh", TOKEN_REVOKED: "endSession", INVALID_SIGNATURE: "passThrough", MALFORMED_TOKEN: "passThrough" },
  fetch: recordingFetch,
});

// ---- events ----
const marks = []; // { at, label }
function log(text) {
  const li = document.createElement("li");
  li.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  $("log").prepend(li);
}
auth.on("refresh", ({ generation }) => {
  marks.push({ at: performance.now(), label: `refresh → gen ${generation}` });
  log(`refresh: new access token (generation ${generation})`);
});
auth.on("sessionEnd", ({ reason }) => {
  marks.push({ at: performance.now(), label: `session ended (${reason})` });
  log(`session ended: ${reason}`);
});

// ---- actions ----
async function control(path, body) {
  await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? {}) });
}

$("loginForm").onsubmit = async (event) => {
  event.preventDefault();
  try {
    await auth.login({ username: $("username").value, password: $("password").value });
    log(`logged in as ${$("username").value}`);
  } catch (error) {
    log(`${error.name}: ${error.message}`);
  }
};
$("logout").onclick = async () => {
  await auth.logout();
  log("logged out");
};
$("secondTab").onclick = () => window.open(location.href, "_blank");
$("expire").onclick = async () => {
  await control("/__test/expire-access");
  log("server: every access token issued so far is now expired");
};
$("revoke").onclick = async () => {
  await control("/__admin/revoke", { username: "ada" });
  log("admin: ada's tokens revoked");
};
$("fault").onchange = async () => {
  const refresh = $("fault").value;
  await control("/__test/faults", { refresh, latency_ms: 1500 });
  log(`server: refresh fault = ${refresh}`);
};

let lastStorm = null;
$("storm").onclick = async () => {
  const n = Math.min(1000, Math.max(1, Number($("n").value) || 1));
  const storm = { n, start: performance.now(), calls: [] };
  lastStorm = storm;
  const settled = await Promise.allSettled(
    Array.from({ length: n }, async (_, i) => {
      const call = { i, start: performance.now() };
      storm.calls.push(call);
      try {
        const response = await auth.fetch(`/api/data?call=${i}`);
        call.outcome = response.status;
      } catch (error) {
        call.outcome = error.name;
      } finally {
        call.end = performance.now();
      }
    }),
  );
  storm.end = performance.now();
  const outcomes = {};
  for (const c of storm.calls) outcomes[c.outcome] = (outcomes[c.outcome] ?? 0) + 1;
  const refreshes = network.filter((e) => e.url.startsWith("/api/token/refresh/") && e.start >= storm.start).length;
  log(`${settled.length} calls: ${Object.entries(outcomes).map(([k, v]) => `${v} × ${k}`).join(", ")}; refresh calls: ${refreshes}`);
  document.body.dataset.storm = "done";
  drawTimeline();
};

// ---- timeline ----
const SVG = "http://www.w3.org/2000/svg";
function el(name, attrs, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  parent.append(node);
  return node;
}

function drawTimeline() {
  const svg = $("timeline");
  svg.replaceChildren();
  if (!lastStorm) return;
  const { width, height } = svg.getBoundingClientRect();
  const t0 = lastStorm.start;
  const t1 = Math.max(lastStorm.end ?? performance.now(), t0 + 50);
  const left = 110, right = 20, top = 18, refreshLane = 22;
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (width - left - right);
  const shown = lastStorm.calls.slice(0, 200);
  const rowsTop = top + refreshLane + 14;
  const rowH = Math.max(0.6, (height - rowsTop - 14) / Math.max(shown.length, 1));

  el("text", { x: 8, y: top + 12, "font-size": 12, fill: "#57606a" }, svg).textContent = "refresh";
  el("text", { x: 8, y: rowsTop + 12, "font-size": 12, fill: "#57606a" }, svg).textContent = `${lastStorm.n} calls`;
  if (lastStorm.n > shown.length) {
    el("text", { x: 8, y: rowsTop + 28, "font-size": 11, fill: "#57606a" }, svg).textContent = `(first ${shown.length})`;
  }
  for (const e of network) {
    if (!e.url.startsWith("/api/token/refresh/") || e.start < t0) continue;
    el("rect", { x: x(e.start), y: top, width: Math.max(2, x(e.end ?? t1) - x(e.start)), height: 14, rx: 3, fill: "#0969da" }, svg);
  }
  shown.forEach((call, row) => {
    const y = rowsTop + row * rowH;
    const attempts = network.filter((e) => e.url === `/api/data?call=${call.i}` && e.start >= t0);
    const h = Math.max(0.6, rowH * 0.7);
    const first = attempts[0], replay = attempts[1];
    if (first) el("rect", { x: x(first.start), y, width: Math.max(1, x(first.end ?? t1) - x(first.start)), height: h, fill: first.status === 200 ? "#2da44e" : "#cf222e" }, svg);
    if (first && replay) el("rect", { x: x(first.end), y, width: Math.max(0, x(replay.start) - x(first.end)), height: h, fill: "#d4a72c" }, svg);
    if (replay) el("rect", { x: x(replay.start), y, width: Math.max(1, x(replay.end ?? t1) - x(replay.start)), height: h, fill: replay.status === 200 ? "#2da44e" : "#cf222e" }, svg);
  });
  for (const m of marks) {
    if (m.at < t0 || m.at > t1) continue;
    el("line", { x1: x(m.at), x2: x(m.at), y1: top - 4, y2: height - 4, stroke: "#8250df", "stroke-dasharray": "3 3" }, svg);
    el("text", { x: x(m.at) + 4, y: height - 6, "font-size": 11, fill: "#8250df" }, svg).textContent = m.label;
  }
  const ms = Math.round(t1 - t0);
  el("text", { x: width - right, y: height - 6, "font-size": 11, fill: "#57606a", "text-anchor": "end" }, svg).textContent = `${ms} ms`;
}

// ---- live panels ----
function table(id, rows) {
  $(id).replaceChildren(...rows.map(([k, v]) => {
    const tr = document.createElement("tr");
    const a = document.createElement("td");
    const b = document.createElement("td");
    a.textContent = k;
    b.textContent = v;
    tr.append(a, b);
    return tr;
  }));
}

async function refreshPanels() {
  const claims = auth.claims(); // unverified, for display only
  $("status").textContent = auth.isAuthenticated ? `signed in${claims?.sub ? ` as ${claims.sub}` : ""}` : "signed out";
  $("status").classList.toggle("on", auth.isAuthenticated);
  $("claims").textContent = claims ? JSON.stringify(claims, null, 2) : "no token (or an opaque one)";
  const left = claims?.exp ? claims.exp - Date.now() / 1000 : null;
  const life = claims?.exp && claims?.iat ? claims.exp - claims.iat : 20;
  $("ttl").textContent = Math.round(life);
  $("lifeBar").style.width = left && auth.isAuthenticated ? `${Math.max(0, Math.min(100, (left / life) * 100))}%` : "0";
  $("lifeText").textContent = left && auth.isAuthenticated ? `access token: ${Math.max(0, left).toFixed(1)} s left (from its exp claim)` : "no token";
  table("stats", Object.entries(auth.stats()));
  try {
    const counters = await (await fetch("/__test/counters")).json();
    table("counters", Object.entries(counters).map(([k, v]) => [k.replaceAll("_", " "), v]));
  } catch {}
}
setInterval(refreshPanels, 500);
window.addEventListener("resize", drawTimeline);

if (await auth.restore()) log("session restored through the refresh cookie");
refreshPanels();
document.body.dataset.ready = "true";
