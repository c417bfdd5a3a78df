// A tiny app that imports the package by name, as an app would, and proves it runs bundled:
// a storm of 50 requests against an in-page test double makes exactly one refresh.
import { createTokenManager } from "tokenflight";
import { newServer, serverOptions } from "../../fixtures/fake_server.js";

const out = document.getElementById("out");
try {
  const server = newServer();
  const auth = await createTokenManager(serverOptions(server));
  auth.setTokens({ access: server.accessToken(), expiresIn: 300 });
  server.expire();
  const results = await Promise.all(Array.from({ length: 50 }, () => auth.fetch("/api/data")));
  const ok = results.filter((r) => r.status === 200).length;
  out.textContent = `ok=${ok} refreshCalls=${server.refreshCalls}`;
} catch (error) {
  out.textContent = `error ${error.name}: ${error.message}`;
}
