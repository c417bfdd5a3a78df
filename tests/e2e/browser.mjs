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
