import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'undici';

/** A gateway started as `npm start` starts it: the compiled entry in a child process of the test. */
export interface GatewayProcess {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output: () => string;
  /** Its URL once it listens; rejects when it exits first. */
  ready: Promise<string>;
}

/**
 * Runs the compiled gateway with exactly the given environment (plus PATH, and no shutdown delay
 * unless the test sets SHUTDOWN_DELAY_MS: SIGTERM closes at once).
 */
export function runGateway(env: Record<string, string>): GatewayProcess {
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', SHUTDOWN_DELAY_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${output}`)));
  });
  ready.catch(() => undefined);
  return { child, output: () => output, ready };
}

/** POSTs a GraphQL operation and returns the parsed body. */
export async function postGraphql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const response = await request(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.body.json()) as never;
}
