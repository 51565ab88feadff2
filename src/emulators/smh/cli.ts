/**
 * `npm run emulator:smh -- [flags]` (or `node dist/emulators/smh/cli.js`): the seeded SMH emulator on
 * the system clock, for demos, manual tests and benchmarks. `--help` prints the flags.
 */
import { runEmulatorCli, wholeNumberFlag } from '../kit/cli.js';
import { DEMO_LIBRARY_ID, DEMO_LIBRARY_SECRET, startSmhEmulator, type AsyncThreshold } from './index.js';

function asyncThreshold(value: string | undefined): AsyncThreshold | undefined {
  if (value === undefined || value === 'always' || value === 'never') return value;
  return wholeNumberFlag({ 'async-threshold': value }, 'async-threshold');
}

await runEmulatorCli({
  program: 'npm run emulator:smh -- [flags]',
  summary: 'Seeded Tencent Cloud SMH emulator (tokens, batch copy, tasks, HEAD/info/listing reads).',
  flags: [
    { name: 'port', value: 'PORT', default: '9100', description: 'Port to listen on (0: any free port)' },
    { name: 'host', value: 'HOST', default: '127.0.0.1', description: 'Address to listen on' },
    {
      name: 'async-threshold',
      value: 'N|always|never',
      default: '100',
      description: 'Batches with more items run as background tasks',
    },
    {
      name: 'task-duration-ms',
      value: 'MS',
      default: '3000',
      description: 'How long a background task runs',
    },
  ],
  notes: [
    `Demo library: id ${DEMO_LIBRARY_ID}, secret ${DEMO_LIBRARY_SECRET}, spaces "-", space-b, spaceNJsnjdiq.`,
    'Token (admin grant, 24 h):',
    `  curl "http://127.0.0.1:9100/api/v1/token?library_id=${DEMO_LIBRARY_ID}&library_secret=${DEMO_LIBRARY_SECRET}&grant=admin"`,
    'Test controls: /__admin/faults, /__admin/item-faults, /__admin/stats, /__admin/copies, /__admin/tree/{library}/{space}.',
  ],
  start: (values) =>
    startSmhEmulator({
      seed: true,
      host: values.host,
      port: wholeNumberFlag(values, 'port', 0, 65_535),
      asyncThreshold: asyncThreshold(values['async-threshold']),
      taskDurationMs: wholeNumberFlag(values, 'task-duration-ms'),
    }),
  banner: (url) => `SMH emulator listening on ${url} (library ${DEMO_LIBRARY_ID}, space -)`,
});
