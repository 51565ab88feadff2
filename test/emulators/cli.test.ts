import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLIS = {
  smh: { file: 'dist/emulators/smh/cli.js', port: '9100', secret: 'smhdemo-secret' },
  dingtalk: { file: 'dist/emulators/dingtalk/cli.js', port: '9200', secret: 'dingdemo-secret' },
} as const;

async function fails(file: string, args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [file, ...args]);
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error('the command succeeded');
}

describe.each(Object.entries(CLIS))('%s emulator command line', (name, cli) => {
  it('prints usage with ports, flags and the demo credentials for --help', async () => {
    const { stdout, stderr } = await run(process.execPath, [cli.file, '--help']);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Usage: npm run emulator:/);
    expect(stdout).toContain(`--port PORT`);
    expect(stdout).toContain(`(default ${cli.port})`);
    expect(stdout).toContain('--host HOST');
    expect(stdout).toContain(cli.secret);
    expect(stdout).toContain('curl ');
  });

  it('answers an unknown flag or a bad value with the error and the usage, exit code 2', async () => {
    const unknown = await fails(cli.file, ['--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: Unknown option '--bogus'/);
    expect(unknown.stderr).toContain('Usage: ');
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const badPort = await fails(cli.file, ['--port', 'abc']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port must be a whole number from 0 to 65535, not "abc"');
  });

  it('starts on the given port, answers a token request and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [cli.file, '--port', '0', '--host', '127.0.0.1']);
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const url = /listening on (http:\/\/\S+)/.exec(line.toString())?.[1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res =
        name === 'smh'
          ? await request(`${url}/api/v1/token?library_id=smhdemo&library_secret=${cli.secret}&grant=admin`)
          : await request(`${url}/v1.0/oauth2/accessToken`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ appKey: 'dingdemo', appSecret: cli.secret }),
            });
      expect(res.statusCode).toBe(200);
      expect(((await res.body.json()) as { accessToken: string }).accessToken).toMatch(/^[0-9a-f]+$/);
    } finally {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    }
  });
});
