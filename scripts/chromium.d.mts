/** Where the tests find Chromium: CHROME_PATH, else Debian's package. */
export function chromiumPath(): string;
/** The flags every test and benchmark launch uses. */
export function chromiumArgs(): string[];
