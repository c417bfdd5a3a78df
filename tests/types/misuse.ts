// Deliberate misuse: each line marked `expect TSnnnn` must fail to compile with exactly that
// diagnostic, and nothing else may (tests/types/types.test.mjs).
import { createTokenManager } from "tokenflight";
import type { TokenflightError } from "tokenflight";

export async function misuse(): Promise<void> {
  await createTokenManager({ refreshUrl: "/r", refreshURL: "/x" }); // expect TS2561 (a typo: "did you mean")
  await createTokenManager({ refreshUrl: "/r", retries: 3 }); // expect TS2353 (an unknown option)
  await createTokenManager({ refreshUrl: "/r", refreshTokenIn: "header" }); // expect TS2322
  await createTokenManager({ refreshUrl: "/r", warnings: "off" }); // expect TS2322
  await createTokenManager({ loginUrl: "/login" }); // expect TS2741 (refreshUrl is required)
  const auth = await createTokenManager({ refreshUrl: "/r" });
  auth.on("refreshed", () => {}); // expect TS2345 (no such event)
  auth.on("sessionEnd", (e: { generation: number }) => e.generation); // expect TS2345 (wrong payload)
  auth.on("refresh", (e) => e.reason); // expect TS2339 (refresh carries no reason)
  auth.on("tokenChange", ({ authenticated }) => authenticated.toFixed()); // expect TS2339 (a boolean)
  auth.claims().sub; // expect TS2531 (claims() may be null)
  const token: string = await auth.getAccessToken(); // expect TS2322 (null when signed out)
  auth.isAuthenticated = true; // expect TS2540 (read-only)
  const e = {} as TokenflightError;
  if (e.name === "Expired") return; // expect TS2367 (not an error name)
  console.log(token);
}
