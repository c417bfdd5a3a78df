// Demo page logic: drives tokenflight against the in-page test double and shows what happened.
import { createTokenManager } from "../pkg/index.js";
import { newServer, serverOptions } from "../tests/fixtures/fake_server.js";

const server = newServer();
const auth = await createTokenManager(serverOptions(server));
const $ = (id) => document.getElementById(id);

function log(text) {
  const line = document.createElement("div");
  line.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  $("log").prepend(line);
}

function render() {
  $("refreshCalls").textContent = server.refreshCalls;
  $("apiCalls").textContent = server.apiCalls;
  $("replays").textContent = auth.stats().replays;
  $("signedIn").textContent = auth.isAuthenticated ? "yes" : "no";
}

auth.on("refresh", ({ generation }) => log(`refresh → token generation ${generation}`));
auth.on("sessionEnd", ({ reason }) => log(`session ended (${reason})`));

$("login").onclick = async () => {
  await auth.login({ username: "demo", password: "demo" });
  log("logged in");
  render();
};
$("expire").onclick = () => {
  server.expire();
  log("the server no longer accepts the current token");
  render();
};
$("storm").onclick = async () => {
  const n = Math.min(1000, Math.max(1, Number($("n").value) || 1));
  const before = server.refreshCalls;
  const results = await Promise.allSettled(Array.from({ length: n }, () => auth.fetch("/api/data")));
  const ok = results.filter((r) => r.status === "fulfilled" && r.value.ok).length;
  log(`${n} requests: ${ok} × 200, ${server.refreshCalls - before} refresh call(s)`);
  render();
};
$("logout").onclick = async () => {
  await auth.logout();
  render();
};
render();
