// Type declarations for tokenflight: the public API, as the README documents it.

/** Options of `createTokenManager`. Unknown options are refused with `InvalidOptions`. */
export interface TokenManagerOptions {
  /** URL of the token refresh endpoint (required). Relative URLs resolve against the page. */
  refreshUrl: string;
  /** Used by `login()`: credentials are POSTed there as JSON. */
  loginUrl?: string;
  /** Called by `logout()`, best effort. */
  logoutUrl?: string;
  /** Where the refresh token lives: an HttpOnly cookie (default) or Wasm memory ("body"). */
  refreshTokenIn?: "cookie" | "body";
  /** Body mode only: `{"refresh": rt}` (default, SimpleJWT) or OAuth 2.0 `grant_type=refresh_token`. */
  refreshBody?: "json" | "form";
  /** Response member holding the access token; default: first of access_token, access, accessToken. */
  accessTokenField?: string;
  /** Response member holding the refresh token; default: first of refresh_token, refresh, refreshToken. */
  refreshTokenField?: string;
  /** Origins that receive the Authorization header, e.g. "https://api.example.com". Default: the page's origin. */
  allowedOrigins?: string[];
  /** Renew this many seconds before expiry (default 30). */
  refreshMarginSeconds?: number;
  /** Waiters are released with `RefreshFailed` after this long (default 10000). */
  refreshTimeoutMs?: number;
  /** Static headers on the refresh call, e.g. a CSRF header. */
  refreshHeaders?: Record<string, string>;
  /**
   * Coordinate with the other tabs, iframes and managers of this origin that use the same
   * `refreshUrl` (default true): Web Locks serialize their refreshes (one refresh call for
   * all of them; after taking the lock a tab adopts a token another tab obtained meanwhile),
   * and a BroadcastChannel shares the new access token (cookie mode), logout, session ends
   * and logins (another login ends this tab's session with reason `otherTab`). A new tab's
   * `restore()` adopts a sibling's token without a refresh call. Where Web Locks or
   * BroadcastChannel are missing, each tab single-flights on its own and `stats().crossTab`
   * is `"unavailable"`. `false` turns it off (`stats().crossTab === "off"`).
   */
  crossTab?: boolean;
  /** Decides for 401/403 answers `errorCodes` did not: true refreshes, false passes through. */
  shouldRefresh?: (response: Response) => boolean | Promise<boolean>;
  /** At most `maxRefreshes` (10) refreshes in `windowSeconds` (30); raise for tokens under ~5 s. */
  loopBreaker?: { maxRefreshes?: number; windowSeconds?: number };
  /** Server error codes (JSON `code` or `error` of 401/403 answers) mapped to an action. */
  errorCodes?: Record<string, "refresh" | "endSession" | "passThrough">;
  /** A fetch implementation to use instead of `globalThis.fetch` (tests, instrumentation). */
  fetch?: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
  /**
   * Console warnings (default true): once per manager, when the claims `claims()` decodes include
   * personal data (`email`, `phone_number`, `address`, `birthdate`), naming the keys only. `false`
   * turns them off.
   */
  warnings?: boolean;
  /**
   * Extra fields of every token request (refresh, `exchangeCode`), in the body format in use,
   * e.g. `{ client_id: "spa" }` for a public OAuth client. String values only; `grant_type`,
   * `refresh_token`, `code`, `code_verifier`, `redirect_uri` and the refresh token's JSON member
   * are refused (`InvalidOptions` names the field).
   */
  refreshParams?: Record<string, string>;
  /** RFC 7009 revocation endpoint: `logout()` revokes the refresh token there (body mode; best effort). */
  revocationUrl?: string;
  /** Token endpoint for `exchangeCode()` (default: `refreshUrl`). */
  tokenUrl?: string;
}

/** The authorization code an OAuth server redirected back with, and its PKCE verifier. */
export interface AuthorizationCode {
  code: string;
  /** The PKCE `code_verifier` whose S256 challenge went to the authorization endpoint. */
  codeVerifier: string;
  /** The `redirect_uri` of the authorization request, exactly. */
  redirectUri: string;
}

/** Tokens from a login the app performed itself. */
export interface Tokens {
  access: string;
  /** Kept only with `refreshTokenIn: "body"`. */
  refresh?: string;
  /** Seconds of validity, measured from now. */
  expiresIn?: number;
  /** An OpenID Connect ID token; preferred by `claims()`. */
  idToken?: string;
}

export type SessionEndReason = "expired" | "revoked" | "logout" | "otherTab";

export interface TokenManagerEvents {
  /**
   * A refresh made by this manager succeeded (tabs that adopt its token get `tokenChange`).
   * `scope`: the granted scope, present only when the server changed it.
   */
  refresh: { generation: number; scope?: string };
  /** The token changed or was removed (also when adopted from another tab): reconnect WebSockets / SSE. */
  tokenChange: { generation: number; authenticated: boolean };
  /** The session ended; fires once per session. */
  sessionEnd: { reason: SessionEndReason };
}

export interface TokenManagerStats {
  /** Refresh calls this manager made to the server (not those of other tabs). */
  refreshes: number;
  /** Refresh calls that failed without ending the session. */
  refreshFailures: number;
  /** Requests sent a second time with a newer token. */
  replays: number;
  /** Requests waiting for the running refresh now. */
  queued: number;
  /** The longest queue so far. */
  maxQueued: number;
  sessionEnds: number;
  /** Generation of the token held (0: none yet); tokens adopted from other tabs count too. */
  generation: number;
  /** Cross-tab coordination: in use, turned off by `crossTab: false`, or missing in this browser. */
  crossTab: "active" | "off" | "unavailable";
}

/** The stable `name` of every error tokenflight rejects with. */
export type TokenflightErrorName =
  | "SessionExpired"
  | "RefreshFailed"
  | "InvalidRefreshResponse"
  | "RefreshMisconfigured"
  | "NonReplayableBody"
  | "LoggedOut"
  | "TooManyRefreshes"
  | "LoginFailed"
  | "InvalidLoginResponse"
  | "InvalidArgument"
  | "InvalidOptions"
  /** `createTokenManager` outside a browser (server-side rendering): no page to load the Wasm from. */
  | "UnsupportedEnvironment";

export interface TokenflightError extends Error {
  name: TokenflightErrorName;
  /**
   * HTTP status, for `RefreshFailed` and `LoginFailed` when the server answered. (`RefreshFailed`
   * also comes without a status when another tab held the cross-tab lock for more than twice
   * `refreshTimeoutMs`; the session is kept.)
   */
  status?: number;
  /** For `SessionExpired`. */
  reason?: "expired" | "revoked";
  /** For `NonReplayableBody`: the original 401 response. */
  response?: Response;
  /**
   * For `RefreshMisconfigured`: the server's OAuth `error`, e.g. "invalid_client" (the message
   * names it and ends with the server's `error_description`: printable ASCII, capped, never a token).
   */
  oauthError?: "invalid_client" | "unauthorized_client" | "unsupported_grant_type" | "invalid_request" | "invalid_scope";
}

export interface TokenManager {
  /** Keep tokens from a login the app performed itself. Throws `InvalidArgument`. */
  setTokens(tokens: Tokens): void;
  /** POST credentials as JSON to `loginUrl` and keep the returned tokens. */
  login(credentials: unknown): Promise<void>;
  /**
   * After the redirect back from an OAuth server: POST the authorization code grant (PKCE) to
   * `tokenUrl` with `refreshParams` and keep the returned tokens. Rejects with `LoginFailed`,
   * `RefreshMisconfigured` (client setup) or `InvalidArgument`.
   */
  exchangeCode(grant: AuthorizationCode): Promise<void>;
  /** On page load: silent refresh through the cookie. Resolves to whether a session exists. */
  restore(): Promise<boolean>;
  /** Drop-in for `window.fetch`; bound to its manager, so it may be passed around as a plain function. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** A token valid for at least `minValiditySeconds` (default 0); `null` when signed out. Bound like `fetch`. */
  getAccessToken(options?: { minValiditySeconds?: number }): Promise<string | null>;
  /** Display-only, unverified claims, or `null`. Never base a decision on them. */
  claims(): Record<string, unknown> | null;
  readonly isAuthenticated: boolean;
  /**
   * Subscribe; returns an unsubscribe function. Listeners are called in the order added, as DOM
   * events are: one added while an event is being delivered hears the next one, and one
   * unsubscribed before its turn is not called.
   */
  on<K extends keyof TokenManagerEvents>(name: K, listener: (event: TokenManagerEvents[K]) => void): () => void;
  /** Never throws; idempotent. Ends the session in every tab of the origin (crossTab). */
  logout(): Promise<void>;
  stats(): TokenManagerStats;
}

/**
 * Loads the WebAssembly module (once) and creates a manager. Rejects with `InvalidOptions`, or
 * `UnsupportedEnvironment` when called outside a browser (importing the module anywhere is safe).
 */
export function createTokenManager(options: TokenManagerOptions): Promise<TokenManager>;
