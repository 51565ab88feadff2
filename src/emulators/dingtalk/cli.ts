/**
 * `npm run emulator:dingtalk -- [flags]` (or `node dist/emulators/dingtalk/cli.js`): the seeded
 * DingTalk storage emulator on the system clock, for demos and manual tests. `--help` prints the flags.
 */
import { runEmulatorCli, wholeNumberFlag } from '../kit/cli.js';
import { DINGTALK_SEED, startDingTalkEmulator } from './index.js';

const seed = DINGTALK_SEED;

await runEmulatorCli({
  program: 'npm run emulator:dingtalk -- [flags]',
  summary: 'Seeded DingTalk storage emulator (tokens, batch copy, tasks, dentry query and listing reads).',
  flags: [
    { name: 'port', value: 'PORT', default: '9200', description: 'Port to listen on (0: any free port)' },
    { name: 'host', value: 'HOST', default: '127.0.0.1', description: 'Address to listen on' },
    {
      name: 'task-duration-ms',
      value: 'MS',
      default: '3000',
      description: 'How long an async folder copy task runs',
    },
    { name: 'max-dentry-ids', value: 'N', default: '3', description: 'Most dentryIds per batch copy' },
  ],
  notes: [
    `Demo app: appKey ${seed.appKey}, appSecret ${seed.appSecret}; operator unionId ${seed.unionId};`,
    `spaces ${seed.sourceSpaceId} (files ${seed.files.join(', ')}, folder ${seed.folderId}) and ${seed.targetSpaceId} (folder ${seed.targetFolderId}).`,
    'Token (2 h):',
    `  curl -X POST http://127.0.0.1:9200/v1.0/oauth2/accessToken -H 'content-type: application/json' \\`,
    `    -d '{"appKey":"${seed.appKey}","appSecret":"${seed.appSecret}"}'`,
    'Test controls: /__admin/faults, /__admin/fail-on-copy, /__admin/stats, /__admin/copies, /__admin/spaces/{space}/tree.',
  ],
  start: (values) =>
    startDingTalkEmulator({
      seed: true,
      host: values.host,
      port: wholeNumberFlag(values, 'port', 0, 65_535),
      taskDurationMs: wholeNumberFlag(values, 'task-duration-ms'),
      maxDentryIds: wholeNumberFlag(values, 'max-dentry-ids', 1),
    }),
  banner: (url) => `DingTalk emulator listening on ${url}`,
});
