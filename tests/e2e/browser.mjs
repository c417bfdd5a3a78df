// Launches Debian's Chromium through playwright-core (playwright cannot download browsers here).
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";

export function chromiumPath() {
  return execFileSync("sh", ["-c", "command -v chromium || command -v chromium-browser"]).toString().trim();
}

export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ...extraArgs,
    ],
  });
}

// Stops a page's fake clock (playwright's `clock`) a little after the page's own now. Pausing at
// an instant already past throws ("Cannot fast-forward to the past"), and on a loaded machine the
// round trip to the page can outlast any fixed lead, so the page's clock is read again and the
// lead doubled until the pause takes. `pageNow` returns the page's `Date.now()`.
export async function pauseClockSoon(clock, pageNow) {
  for (let lead = 50; ; lead *= 2) {
    try {
      return await clock.pauseAt((await pageNow()) + lead);
    } catch (error) {
      if (lead >= 1600 || !/past/.test(String(error))) throw error;
    }
  }
}
