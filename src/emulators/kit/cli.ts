/**
 * The command line both emulators share: `--help` prints the usage, a bad flag prints the error and
 * the usage (exit code 2, no stack trace), and SIGINT/SIGTERM close the server before exiting.
 */
import { parseArgs } from 'node:util';

/** One `--name VALUE` flag. */
export interface CliFlag {
  name: string;
  /** Placeholder of the value in the usage, e.g. `PORT`. */
  value: string;
  default?: string;
  description: string;
}

/** What one emulator's command line offers. */
export interface CliSpec {
  /** Program line of the usage, e.g. `npm run emulator:smh -- [flags]`. */
  program: string;
  /** One-line description. */
  summary: string;
  flags: readonly CliFlag[];
  /** Lines printed after the flags: demo credentials, a token request, … */
  notes: readonly string[];
  /** Starts the emulator from the flag values; throws an Error with a readable message for a bad value. */
  start(values: Record<string, string | undefined>): Promise<{ url: string; close(): Promise<void> }>;
  /** The line printed once it listens. */
  banner(url: string): string;
}

/** The usage text of `spec`. */
export function usage(spec: CliSpec): string {
  const width = Math.max(...spec.flags.map((f) => f.name.length + f.value.length + 3), 10);
  const lines = [
    `Usage: ${spec.program}`,
    '',
    spec.summary,
    '',
    'Flags:',
    ...spec.flags.map((f) => {
      const left = `--${f.name} ${f.value}`.padEnd(width);
      return `  ${left}  ${f.description}${f.default === undefined ? '' : ` (default ${f.default})`}`;
    }),
    `  ${'--help'.padEnd(width)}  Print this help and exit`,
    '',
    ...spec.notes,
  ];
  return `${lines.join('\n')}\n`;
}

/** A whole number from `min` to `max`, or undefined when absent; throws naming the flag otherwise. */
export function wholeNumberFlag(
  values: Record<string, string | undefined>,
  name: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return n;
}

/** Runs the command line: parses `argv`, prints help or errors, starts the emulator and waits for a signal. */
export async function runEmulatorCli(
  spec: CliSpec,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(
          spec.flags.map((f) => [
            f.name,
            { type: 'string' as const, ...(f.default !== undefined && { default: f.default }) },
          ]),
        ),
      },
    }));
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n\n${usage(spec)}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(usage(spec));
    return;
  }
  let server: { url: string; close(): Promise<void> };
  try {
    server = await spec.start(values as Record<string, string | undefined>);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n\n${usage(spec)}`);
    process.exit(2);
  }
  process.stdout.write(`${spec.banner(server.url)}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
