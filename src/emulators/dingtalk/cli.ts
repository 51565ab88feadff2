/**
 * `node dist/emulators/dingtalk/cli.js [--port 9200] [--host 127.0.0.1]`: a seeded emulator on the
 * system clock, for demos and manual testing.
 */
import { parseArgs } from 'node:util';
import { startDingTalkEmulator } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9200' },
    host: { type: 'string', default: '127.0.0.1' },
    'task-duration-ms': { type: 'string' },
    'max-dentry-ids': { type: 'string' },
  },
});

const toNumber = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

const emulator = await startDingTalkEmulator({
  host: values.host,
  port: Number(values.port),
  seed: true,
  ...(values['task-duration-ms'] === undefined
    ? {}
    : { taskDurationMs: toNumber(values['task-duration-ms']) }),
  ...(values['max-dentry-ids'] === undefined ? {} : { maxDentryIds: toNumber(values['max-dentry-ids']) }),
});
// stdout rather than console: the URL is this program's output.
process.stdout.write(`DingTalk emulator listening on ${emulator.url}\n`);

const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
