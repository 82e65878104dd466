/** The server's log: one line per event, quiet when asked (tests pass `silentLogger`). */
export interface Logger {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

const stamp = () => new Date().toISOString();

/** Writes timestamped lines to the console. */
export const consoleLogger: Logger = {
  info: (line) => console.log(`${stamp()} ${line}`),
  warn: (line) => console.warn(`${stamp()} warning: ${line}`),
  error: (line) => console.error(`${stamp()} error: ${line}`),
};

/** Writes nothing. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
