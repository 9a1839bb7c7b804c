/** The one logging interface every module takes, so the CLI and the Functions host can each supply theirs. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type LogSink = (level: 'debug' | 'info' | 'warn' | 'error', line: string) => void;

/** Structured lines (`message key=value ...`); debug lines only when ACR_SYNC_DEBUG is on. */
export function createLogger(sink: LogSink, debugEnabled: boolean): Logger {
  const format = (message: string, fields?: Record<string, unknown>): string => {
    if (!fields) return message;
    const parts = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`);
    return parts.length ? `${message} ${parts.join(' ')}` : message;
  };
  return {
    debug: (m, f) => {
      if (debugEnabled) sink('debug', format(m, f));
    },
    info: (m, f) => sink('info', format(m, f)),
    warn: (m, f) => sink('warn', format(m, f)),
    error: (m, f) => sink('error', format(m, f)),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
