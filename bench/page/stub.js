// A network that answers at once, in the page: GET with the valid token → 200 JSON, else 401;
// POST to the refresh URL → a new token (held until released, when a storm asks for it). It
// starts as fetch does, with `new Request(input, init)`, so every contender pays the same
// construction whatever form it calls fetch with.
export const REFRESH_PATH = "/api/token/refresh/";
const OK = '{"ok":true}';
const EXPIRED = '{"code":"TOKEN_EXPIRED","detail":"Token is expired"}';
const JSON_HEADERS = { "content-type": "application/json" };
const UNAUTHORIZED_HEADERS = { ...JSON_HEADERS, "www-authenticate": 'Bearer error="invalid_token"' };

export function stubNetwork() {
  let serial = 1;
  // Tokens issued since the last expiry; a refresh adds one and leaves the others valid (as
  // stateless JWTs stay valid until they expire).
  const valid = new Set(["stub-token-1"]);
  let latest = "stub-token-1";
  let held = null;
  const counts = { ok: 0, unauthorized: 0, refreshes: 0, requests: 0 };
  async function fetch(input, init) {
    const request = new Request(input, init);
    counts.requests++;
    if (request.method === "POST" && request.url.endsWith(REFRESH_PATH)) {
      counts.refreshes++;
      if (held) await held.promise;
      latest = `stub-token-${++serial}`;
      valid.add(latest);
      return new Response(`{"access":"${latest}","expires_in":3600}`, { headers: JSON_HEADERS });
    }
    const auth = request.headers.get("authorization");
    if (auth?.startsWith("Bearer ") && valid.has(auth.slice(7))) {
      counts.ok++;
      return new Response(OK, { headers: JSON_HEADERS });
    }
    counts.unauthorized++;
    return new Response(EXPIRED, { status: 401, headers: UNAUTHORIZED_HEADERS });
  }
  return {
    fetch,
    counts,
    token: () => latest,
    /** Every token issued so far expires; only a refresh issues a new one. */
    expire() {
      valid.clear();
    },
    /** Refresh answers wait until `release()`. */
    hold() {
      let release;
      const promise = new Promise((r) => (release = r));
      held = { promise };
      return () => {
        held = null;
        release();
      };
    },
  };
}
