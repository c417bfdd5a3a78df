// Every public API of tokenflight as an app written in strict TypeScript uses it, including
// handing `auth.fetch` to axios, ky and ofetch. Must compile with no diagnostic
// (`tsc --strict --noEmit`, run by tests/types/types.test.mjs).
import { createTokenManager } from "tokenflight";
import type {
  SessionEndReason,
  TokenManager,
  TokenManagerEvents,
  TokenManagerOptions,
  TokenManagerStats,
  TokenflightError,
  TokenflightErrorName,
  Tokens,
} from "tokenflight";
import axios, { AxiosError } from "axios";
import ky, { HTTPError } from "ky";
import { ofetch, FetchError } from "ofetch";

const options: TokenManagerOptions = {
  refreshUrl: "/api/token/refresh/",
  loginUrl: "/api/token/",
  logoutUrl: "/api/logout/",
  refreshTokenIn: "body",
  refreshBody: "form",
  accessTokenField: "access_token",
  refreshTokenField: "refresh_token",
  allowedOrigins: ["https://api.example.com"],
  refreshMarginSeconds: 30,
  refreshTimeoutMs: 10_000,
  refreshHeaders: { "X-CSRFToken": "t" },
  crossTab: true,
  shouldRefresh: async (response: Response) => response.status === 401,
  loopBreaker: { maxRefreshes: 10, windowSeconds: 30 },
  errorCodes: { TOKEN_EXPIRED: "refresh", TOKEN_REVOKED: "endSession", INVALID_SIGNATURE: "passThrough" },
  fetch: (input, init) => fetch(input, init),
  warnings: false,
  refreshParams: { client_id: "spa", scope: "openid offline_access" },
  revocationUrl: "https://id.example.com/token/revocation",
  tokenUrl: "https://id.example.com/token",
};

export async function app(): Promise<void> {
  const auth: TokenManager = await createTokenManager(options);
  const tokens: Tokens = { access: "a", refresh: "r", expiresIn: 300, idToken: "i" };
  auth.setTokens(tokens);
  await auth.login({ username: "ada", password: "lovelace" });
  await auth.exchangeCode({ code: "c", codeVerifier: "v", redirectUri: "https://app.example.com/" });
  auth.on("refresh", ({ generation, scope }) => console.log(generation, scope?.split(" ")));
  const restored: boolean = await auth.restore();
  const response: Response = await auth.fetch("/api/orders/", { method: "POST", body: "{}" });
  await auth.fetch(new URL("https://api.example.com/x"));
  await auth.fetch(new Request("/api/y"));
  const token: string | null = await auth.getAccessToken({ minValiditySeconds: 30 });
  await auth.getAccessToken();
  const claims = auth.claims();
  const name: unknown = claims?.name;
  const signedIn: boolean = auth.isAuthenticated;
  const offRefresh: () => void = auth.on("refresh", ({ generation }) => console.log(generation.toFixed()));
  auth.on("tokenChange", (e: TokenManagerEvents["tokenChange"]) => (e.authenticated ? e.generation : 0));
  auth.on("sessionEnd", ({ reason }) => {
    const r: SessionEndReason = reason;
    return r === "otherTab";
  });
  offRefresh();
  const stats: TokenManagerStats = auth.stats();
  const counts: number[] = [stats.refreshes, stats.refreshFailures, stats.replays, stats.queued, stats.maxQueued, stats.sessionEnds, stats.generation];
  await auth.logout();

  // Passed around as plain functions (bound by the package).
  const plainFetch: typeof fetch = auth.fetch;
  const tokenFactory: () => Promise<string | null> = auth.getAccessToken;

  // The HTTP clients, exactly as the README shows them.
  const api = axios.create({ adapter: "fetch", env: { fetch: auth.fetch } });
  const kyApi = ky.create({ fetch: auth.fetch });
  const ofetchApi = ofetch.create({}, { fetch: auth.fetch });

  try {
    await api.get("/api/data");
    await kyApi.get("api/data").json();
    await ofetchApi("/api/data");
  } catch (error) {
    if (error instanceof AxiosError || error instanceof HTTPError || error instanceof FetchError) return;
    const e = error as TokenflightError;
    const n: TokenflightErrorName = e.name;
    if (n === "SessionExpired") console.log(e.reason === "revoked");
    if (n === "RefreshFailed" || n === "LoginFailed") console.log(e.status ?? 0);
    if (n === "NonReplayableBody") console.log(e.response?.status);
    if (n === "UnsupportedEnvironment") return;
  }
  console.log(restored, response.ok, token, name, signedIn, counts, plainFetch, tokenFactory);
}
