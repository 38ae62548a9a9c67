import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's headless Chromium (`apt-get install chromium`), never a downloaded browser. The
 * background-networking flags keep it from calling out: this machine has no internet.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
