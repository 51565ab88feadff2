import { createRequire } from 'node:module';
import pino, { type DestinationStream } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogLevel } from './config.js';

/** Where and how log lines are written. */
export interface LogOutput {
  /** Human-readable lines (pino-pretty) instead of one JSON object per line. */
  pretty: boolean;
  level: LogLevel;
}

export interface LogOutputInput {
  demo: boolean;
  /** Whether standard output is a terminal (`process.stdout.isTTY`). */
  terminal: boolean;
  /** Whether pino-pretty is installed (a dev dependency: production installs do not have it). */
  prettyInstalled: boolean;
  /** The configured level. */
  level: LogLevel;
  /** Whether LOG_LEVEL was set explicitly. */
  levelSet: boolean;
}

/**
 * JSON lines at the configured level, except for a person running the demo in a terminal: pretty lines,
 * and only warnings and errors unless LOG_LEVEL asks for more, so a line per request does not scroll
 * the demo's banner away. Production output, and any output piped elsewhere, stays JSON.
 */
export function chooseLogOutput(input: LogOutputInput): LogOutput {
  const pretty = input.demo && input.terminal && input.prettyInstalled;
  return { pretty, level: pretty && !input.levelSet ? 'warn' : input.level };
}

const require = createRequire(import.meta.url);

/** pino-pretty loaded if it is installed, else undefined. */
export function loadPinoPretty(): typeof PinoPretty | undefined {
  try {
    return require('pino-pretty') as typeof PinoPretty;
  } catch {
    return undefined;
  }
}

/** A pino destination that prints each line for a person: time, level, message, then the fields. */
export function prettyDestination(
  pretty: typeof PinoPretty,
  destination?: NodeJS.WritableStream,
): DestinationStream {
  return pretty({ ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss', destination });
}

/**
 * JSON lines on standard output, written asynchronously: lines that come while a write is under way
 * go out together in the next one, instead of one blocking write per line. pino writes what is still
 * buffered synchronously when the process exits; only a process killed outright (SIGKILL) can lose the
 * lines of its last write. https://getpino.io/#/docs/asynchronous
 */
export function jsonDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}

/** This process's log level and destination: pino-pretty on a terminal in the demo, else JSON on stdout. */
export function processLogOutput(
  demo: boolean,
  level: LogLevel,
  levelSet: boolean,
): { level: LogLevel; destination?: DestinationStream } {
  const terminal = process.stdout.isTTY === true;
  // Loaded only where it would be used: production never touches it.
  const pretty = demo && terminal ? loadPinoPretty() : undefined;
  const output = chooseLogOutput({ demo, terminal, prettyInstalled: pretty !== undefined, level, levelSet });
  return {
    level: output.level,
    destination: output.pretty && pretty ? prettyDestination(pretty) : jsonDestination(),
  };
}
