// The loopback server of the benchmark: serves the page, the bundles and a protected resource.
// GET /api/data answers 200 to the valid bearer token, else 401 TOKEN_EXPIRED; POST to the
// refresh URL issues a new valid token; /__bench/* lets the page read counters and expire the token.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { randomBytes } from "node:crypto";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

export async function startServer({ pageDir, distDir }) {
  // Tokens issued since the last expiry (a refresh adds one; the others stay valid, as stateless
  // JWTs do until they expire).
  let latest = fresh();
  const valid = new Set([latest]);
  const counters = { ok: 0, unauthorized: 0, refreshes: 0 };
  function fresh() {
    return `tk-${randomBytes(12).toString("hex")}`;
  }
  const send = (res, status, body, headers = {}) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
    res.end(body);
  };
  async function file(res, dir, rel) {
    const path = normalize(join(dir, rel));
    if (!path.startsWith(dir)) return send(res, 404, "{}");
    try {
      const body = await readFile(path);
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch {
      send(res, 404, "{}");
    }
  }
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const path = url.pathname;
    if (path === "/api/data") {
      const auth = req.headers.authorization ?? "";
      if (auth.startsWith("Bearer ") && valid.has(auth.slice(7))) {
        counters.ok++;
        return send(res, 200, '{"ok":true}');
      }
      counters.unauthorized++;
      return send(res, 401, '{"code":"TOKEN_EXPIRED"}', { "www-authenticate": 'Bearer error="invalid_token"' });
    }
    if (path === "/api/token/refresh/" && req.method === "POST") {
      counters.refreshes++;
      latest = fresh();
      valid.add(latest);
      return send(res, 200, JSON.stringify({ access: latest, expires_in: 3600 }));
    }
    if (path === "/__bench/token") return send(res, 200, JSON.stringify({ token: latest }));
    if (path === "/__bench/counters") return send(res, 200, JSON.stringify(counters));
    if (path === "/__bench/expire" && req.method === "POST") {
      valid.clear();
      return send(res, 200, "{}");
    }
    if (path === "/") return file(res, pageDir, "index.html");
    if (path.startsWith("/page/")) return file(res, pageDir, path.slice("/page/".length));
    if (path.startsWith("/dist/")) return file(res, distDir, path.slice("/dist/".length));
    send(res, 404, "{}");
  });
  // Idle keep-alive sockets stay open past any pause of the run: Node's default (5 s) closes them
  // as Chromium reuses one, and a POST on such a socket fails ("Failed to fetch") unretried.
  server.keepAliveTimeout = 600_000;
  server.headersTimeout = 610_000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    }),
  };
}
