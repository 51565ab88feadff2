import { readFileSync, realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const workerMajor = Number(process.versions.node.split('.')[0]);

describe('the Node the tests run on', () => {
  it('is the one asked for, in npm and in every vitest worker', () => {
    // npm gives every script the Node binary it runs on; vitest's workers must run that same binary.
    const npmNode = process.env.npm_node_execpath;
    console.warn(
      `vitest worker on Node ${process.version} (${process.execPath}), npm on ${npmNode ?? '(not run by npm)'}`,
    );
    if (npmNode !== undefined) expect(realpathSync(process.execPath)).toBe(realpathSync(npmNode));
    const expected = process.env.EXPECT_NODE_MAJOR;
    if (expected !== undefined) expect(workerMajor).toBe(Number(expected));
  });

  it('is a major version package.json engines supports', () => {
    const { engines } = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    const majors = engines.node.split('||').map((range) => Number(/\d+/.exec(range)?.[0]));
    expect(majors).toEqual([20, 22, 24]);
    expect(majors).toContain(workerMajor);
  });
});
