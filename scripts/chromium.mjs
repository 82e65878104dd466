// Where the tests find Chromium: CHROME_PATH, else Debian's package. No browser
// is ever downloaded.
import { existsSync } from 'node:fs';

export function chromiumPath() {
  const path = process.env.CHROME_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`No Chromium at ${path}: set CHROME_PATH or run "apt-get install -y chromium"`);
  }
  return path;
}

export function chromiumArgs() {
  return [
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ];
}
