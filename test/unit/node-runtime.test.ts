import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const workerMajor = Number(process.versions.node.split('.')[0]);

/** The Node that started npm, from the user agent npm gives every script (`npm/11.x node/v24.1.0 …`). */
function npmNodeVersion(): string | undefined {
  return /\bnode\/v(\d+\.\d+\.\d+)/.exec(process.env.npm_config_user_agent ?? '')?.[1];
}

describe('the Node the tests run on', () => {
  it('is the one asked for, in npm and in every vitest worker', () => {
    console.warn(
      `vitest worker on Node ${process.version}, npm on Node ${npmNodeVersion() ?? '(not run by npm)'}`,
    );
    const expected = process.env.EXPECT_NODE_MAJOR;
    if (expected !== undefined) expect(workerMajor).toBe(Number(expected));
    const npmNode = npmNodeVersion();
    if (npmNode !== undefined) expect(process.versions.node).toBe(npmNode);
  });

  it('is a major version package.json engines supports', () => {
    const { engines } = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    const majors = engines.node.split('||').map((range) => Number(/\d+/.exec(range)?.[0]));
    expect(majors).toEqual([20, 22, 24]);
    expect(majors).toContain(workerMajor);
  });
});
