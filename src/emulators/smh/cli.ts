/**
 * Starts a seeded SMH emulator on the system clock:
 *   node dist/emulators/smh/cli.js --port 9100 [--async-threshold N|always|never] [--host H] [--task-duration-ms MS]
 */
import { parseArgs } from 'node:util';
import { startSmhEmulator, type AsyncThreshold } from './index.js';

function asyncThreshold(value: string | undefined): AsyncThreshold | undefined {
  if (value === undefined) return undefined;
  if (value === 'always' || value === 'never') return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--async-threshold must be a whole number, always or never`);
  return n;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9100' },
    host: { type: 'string', default: '127.0.0.1' },
    'async-threshold': { type: 'string' },
    'task-duration-ms': { type: 'string' },
  },
});

const emulator = await startSmhEmulator({
  seed: true,
  host: values.host,
  port: Number(values.port),
  asyncThreshold: asyncThreshold(values['async-threshold']),
  taskDurationMs: values['task-duration-ms'] === undefined ? undefined : Number(values['task-duration-ms']),
});
// stdout rather than console: the lint rule allows console only in the top-level cli files.
process.stdout.write(`SMH emulator listening on ${emulator.url} (library smhdemo, space -)\n`);

const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
