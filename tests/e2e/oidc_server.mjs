// A real OpenID Connect provider for the end-to-end tests: the npm package oidc-provider (panva,
// OpenID Certified), which no one here wrote, mounted in a node http server on 127.0.0.1 that
// also serves the built package (/pkg/), the test app (/app/, tests/fixtures/oidc_app.html) and a
// small protected resource (/api/data) that accepts only access tokens the provider still holds
// for a live grant. One origin, so no CORS is involved. Everything the tests assert is counted
// here, at the server: token requests by grant type, refresh tokens presented, revocations, API
// answers by status.
import http from "node:http";
import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Provider from "oidc-provider";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html", ".ts": "text/plain" };

/** The public SPA client: no secret, PKCE, refresh tokens (rotated on every use). */
export const CLIENT_ID = "spa";

/**
 * Starts the provider. `accessTtl`: seconds of access-token life. Returns the origin, counters,
 * the tokens it issued, and controls (revoke every grant, reset counters, stop).
 */
export async function startOidc({ accessTtl = 4 } = {}) {
  const server = http.createServer();
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const redirectUri = `${origin}/app/`;

  const provider = new Provider(origin, {
    clients: [{
      client_id: CLIENT_ID,
      token_endpoint_auth_method: "none",
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    }],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true }, revocation: { enabled: true } },
    scopes: ["openid", "offline_access"],
    // Rotation on every refresh; a refresh token presented twice revokes the whole grant.
    rotateRefreshToken: true,
    // Without this, expired access tokens are accepted for 15 s more.
    clockTolerance: 0,
    ttl: { AccessToken: accessTtl, IdToken: 3600, RefreshToken: 3600, AuthorizationCode: 60, Grant: 3600, Session: 3600, Interaction: 600 },
    cookies: { keys: ["tokenflight-e2e-only"] },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, name: `User ${sub}` }) }),
  });

  const counters = newCounters();
  /** Every token response body, in order (the test needs the tokens to replay or inspect). */
  const issued = [];
  /** Grants the provider created, so the test can revoke them server-side. */
  const grants = new Set();

  provider.use(async (ctx, next) => {
    await next();
    const route = ctx.oidc?.route;
    if (route === "token") {
      const params = ctx.oidc.params ?? {};
      if (params.grant_type === "refresh_token") {
        counters.refresh_grants++;
        counters.refresh_clients.push(params.client_id ?? null);
        if (params.refresh_token) {
          if (counters.presented.includes(params.refresh_token)) counters.refresh_tokens_seen_twice++;
          counters.presented.push(params.refresh_token);
        }
      } else if (params.grant_type === "authorization_code") {
        counters.code_grants++;
      }
      if (ctx.status === 200 && ctx.body?.access_token) {
        issued.push({ ...ctx.body });
        const at = await provider.AccessToken.find(ctx.body.access_token);
        if (at) grants.add(at.grantId);
      } else {
        counters.token_errors.push({ status: ctx.status, error: ctx.body?.error ?? null });
      }
    } else if (route === "revocation") {
      const p = ctx.oidc.params ?? {};
      counters.revocations.push({ status: ctx.status, token: p.token ?? null, hint: p.token_type_hint ?? null, client_id: p.client_id ?? null });
    }
  });
  const oidc = provider.callback();

  server.on("request", (req, res) => {
    const path = new URL(req.url, origin).pathname;
    if (path === "/api/data") return protectedResource(provider, counters, req, res);
    if (path === "/app/") return sendFile(res, resolve(root, "tests/fixtures/oidc_app.html"));
    if (path.startsWith("/pkg/")) return sendFile(res, resolve(root, "." + path));
    return oidc(req, res);
  });

  return {
    origin,
    redirectUri,
    provider,
    counters,
    issued,
    /** The newest token response (the tokens the app should hold now). */
    latest: () => issued.at(-1),
    /** Revokes every grant at the server, as an administrator would: refresh and access tokens die. */
    async revokeGrants() {
      for (const id of grants) await (await provider.Grant.find(id))?.destroy();
    },
    /** Whether the provider still accepts `accessToken` (not expired, grant alive). */
    async accepts(accessToken) {
      const at = await provider.AccessToken.find(accessToken);
      return Boolean(at && (await provider.Grant.find(at.grantId)));
    },
    /** Presents a refresh token at the token endpoint as any client could; returns the answer. */
    async presentRefreshToken(refreshToken) {
      const res = await fetch(`${origin}/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: CLIENT_ID }),
      });
      return { status: res.status, body: await res.json() };
    },
    reset() {
      Object.assign(counters, newCounters());
      issued.length = 0;
    },
    stop: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }),
  };
}

function newCounters() {
  return {
    code_grants: 0,
    refresh_grants: 0,
    refresh_clients: [],
    refresh_tokens_seen_twice: 0,
    /** Refresh tokens presented, in order. */
    presented: [],
    token_errors: [],
    revocations: [],
    api_200s: 0,
    api_401s: 0,
  };
}

/** Bearer access tokens only, checked against the provider's own store (opaque tokens). */
async function protectedResource(provider, counters, req, res) {
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(req.headers.authorization ?? "");
  const token = match && (await provider.AccessToken.find(match[1]));
  const grant = token && (await provider.Grant.find(token.grantId));
  if (!grant) {
    counters.api_401s++;
    res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer error="invalid_token"' });
    return res.end(JSON.stringify({ error: "invalid_token" }));
  }
  counters.api_200s++;
  res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify({ sub: token.accountId, scope: token.scope }));
}

async function sendFile(res, file) {
  try {
    const body = await readFile(file);
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
}
