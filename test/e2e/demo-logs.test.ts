import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Runs `command` until `until` matches its standard output, then stops it; returns that output. */
async function outputUntil(command: string, args: string[], env: Record<string, string>, until: RegExp) {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (until.test(output)) resolve();
    });
    child.once('exit', () => reject(new Error(`exited before ${until}: ${output}`)));
  });
  child.kill('SIGTERM');
  await exited;
  return output;
}

const ESCAPE = String.fromCharCode(0x1b);

describe('demo logs', () => {
  it('are JSON lines at the configured level when standard output is not a terminal', async () => {
    const output = await outputUntil(process.execPath, ['dist/main.js'], {}, /GraphiQL: /);
    expect(output).toContain('DEMO MODE');
    const logLines = output.split('\n').filter((line) => line.startsWith('{'));
    const messages = logLines.map((line) => (JSON.parse(line) as { level: number; msg: string }).msg);
    expect(messages).toContain('demo emulators started');
    expect(messages.some((message) => message.startsWith('Server listening at'))).toBe(true);
    expect(output).not.toContain(ESCAPE);
    expect(output).not.toMatch(/\] INFO/);
  });

  // util-linux `script` gives the gateway a real terminal (Debian installs it everywhere).
  it.skipIf(!existsSync('/usr/bin/script'))(
    'are pretty and quiet in a terminal: the banner stays in view',
    async () => {
      const quiet = await outputUntil(
        'script',
        ['-qec', `"${process.execPath}" dist/main.js`, '/dev/null'],
        {},
        /curl -s/,
      );
      expect(quiet).toContain('DEMO MODE');
      expect(quiet).not.toContain('demo emulators started');
      expect(quiet).not.toContain('{"level"');

      const verbose = await outputUntil(
        'script',
        ['-qec', `"${process.execPath}" dist/main.js`, '/dev/null'],
        { LOG_LEVEL: 'info' },
        /curl -s/,
      );
      expect(verbose).toMatch(/\[\d\d:\d\d:\d\d\] .*INFO.*: .*demo emulators started/);
      expect(verbose).not.toContain('{"level"');
    },
  );
});
