import { describe, expect, it } from 'vitest';
import { PRODUCED_MARGIN_MS } from '../../src/copy/lookups.js';
import { MemoryProducedRegistry, producedWhere, succeededResults } from '../../src/copy/produced.js';

describe('the registry of the gateway’s own results (memory)', () => {
  it('answers recorded results with their last time, others with null, per provider and library', async () => {
    let now = 1_000_000;
    const registry = new MemoryProducedRegistry(60_000, () => now);
    await registry.record('SMH', 'lib', ['dst/a.txt']);
    now += 500;
    await registry.record('SMH', 'lib', ['dst/a.txt']);
    const answer = await registry.recorded('SMH', 'lib', ['dst/a.txt', 'dst/b.txt'], now);
    expect(answer).toEqual(
      new Map([
        ['dst/a.txt', 1_000_500],
        ['dst/b.txt', null],
      ]),
    );
    expect((await registry.recorded('SMH', 'other', ['dst/a.txt'], now))?.get('dst/a.txt')).toBeNull();
    expect((await registry.recorded('DINGTALK', 'lib', ['dst/a.txt'], now))?.get('dst/a.txt')).toBeNull();
  });

  it('cannot answer for a send whose records may be gone: looked at too late, or dropped for room', async () => {
    let now = 1_000_000;
    const registry = new MemoryProducedRegistry(60_000, () => now, 2);
    const sentAt = now;
    now = sentAt - PRODUCED_MARGIN_MS + 60_000;
    expect(await registry.recorded('SMH', 'lib', ['x'], sentAt)).toBeUndefined();
    now = sentAt;
    await registry.record('SMH', 'lib', ['a', 'b', 'c']);
    // 'a' was dropped for room: no send from the margin before it on can be answered for.
    expect(await registry.recorded('SMH', 'lib', ['a'], sentAt + PRODUCED_MARGIN_MS)).toBeUndefined();
    expect(await registry.recorded('SMH', 'lib', ['a'], sentAt + PRODUCED_MARGIN_MS + 1)).toEqual(
      new Map([['a', null]]),
    );
  });

  it('keeps SUCCEEDED results only; SMH results are kept by library, DingTalk ids alone', () => {
    expect(
      succeededResults([
        {
          index: 0,
          source: 'a',
          status: 'SUCCEEDED',
          result: 'x',
          renamed: false,
          evidence: 'UPSTREAM_ANSWER',
        },
        { index: 1, source: 'b', status: 'FAILED', result: 'y', renamed: false, evidence: 'UPSTREAM_ANSWER' },
      ]),
    ).toEqual(['x']);
    expect(producedWhere({ libraryId: 'lib', spaceId: 's' })).toBe('lib');
    expect(producedWhere({ spaceId: 's', targetFolderId: 'f' })).toBe('');
  });
});
