import { describe, expect, it } from 'vitest';
import {
  mergeClocks,
  ProducedView,
  sendWindow,
  surelyAfter,
  upstreamClock,
  type Json,
  type LookupPlan,
} from '../../src/copy/lookups.js';
import { applyVerdicts, lookDelay } from '../../src/copy/resolution.js';
import { smhMatching, type SmhObserved } from '../../src/providers/smh/lookup-match.js';
import {
  dingTalkMatching,
  isRenamedVariant,
  type DingTalkObserved,
} from '../../src/providers/dingtalk/lookup-match.js';

const SENT = Date.parse('2026-11-30T10:00:00.000Z');
const after = (s: number) => new Date(SENT + s * 1000).toISOString();
const json = (v: unknown) => v as Json;

/** A look's reading of the upstream's clock, 5 s after the send, on a clock that agrees with ours. */
const CLOCK = upstreamClock(new Date(SENT + 5000).toUTCString(), SENT + 5000, SENT + 5100);

describe('the send on the upstream clock', () => {
  it('allows for whole-second Date headers, the time the answer took, and skew between servers', () => {
    expect(CLOCK).toEqual({ low: -1100, high: 1000, at: SENT + 5100 });
    const window = sendWindow(SENT, CLOCK)!;
    // 1 s for the Date header's unit, 1 s of skew between the upstream's servers, 0.1 % of 5.1 s drift.
    expect(window.earliest).toBeCloseTo(SENT - 2105.1, 3);
    expect(window.latest).toBeCloseTo(SENT + 2005.1, 3);
    // A whole-second time stamp proves "after the send" only a second past the window.
    expect(surelyAfter(after(3), window, 1000)).toBe(false);
    expect(surelyAfter(after(3.1), window, 1000)).toBe(true);
    // No reading of the upstream's clock: nothing is proven by time.
    expect(surelyAfter(after(60), sendWindow(SENT, undefined), 1000)).toBe(false);
  });

  it('moves the send onto the upstream clock: an hour behind ours, an hour earlier there', () => {
    const behind = upstreamClock(new Date(SENT + 5000 - 3600_000).toUTCString(), SENT + 5000, SENT + 5000);
    expect(sendWindow(SENT, behind)!.latest).toBeCloseTo(SENT - 3600_000 + 2005, 0);
  });

  it('narrows with every reading, and knows nothing from readings that contradict each other', () => {
    const later = upstreamClock(new Date(SENT + 6000).toUTCString(), SENT + 6500, SENT + 6600);
    expect(mergeClocks(CLOCK, later)).toEqual({ low: -1100, high: 500, at: SENT + 6600 });
    const jumped = upstreamClock(new Date(SENT + 60_000).toUTCString(), SENT + 6000, SENT + 6100);
    const contradicted = mergeClocks(CLOCK, jumped);
    expect(sendWindow(SENT, contradicted)).toBeUndefined();
    // Nothing read later makes them agree again.
    expect(sendWindow(SENT, mergeClocks(contradicted, later))).toBeUndefined();
  });
});

describe('lookDelay', () => {
  it('doubles from the grace period up to a minute', () => {
    expect([0, 1, 2, 3, 10].map((n) => lookDelay(2000, n))).toEqual([2000, 4000, 8000, 16000, 60000]);
  });
});

function smhPlan(strategy: string, before?: SmhObserved): LookupPlan {
  return {
    provider: 'SMH',
    scope: json({ libraryId: 'lib', spaceId: '-' }),
    items: [{ index: 0, source: 'src/a.txt', target: 'dst/a.txt', strategy: strategy as 'FAIL' }],
    sentAt: SENT,
    ...(before ? { before: json(before) } : {}),
  };
}
const SOURCE = { name: 'a.txt', type: 'file', size: '10', crc64: '42' };
const file = (name: string, created: number, extra: object = {}) => ({
  name,
  type: 'file',
  size: '10',
  crc64: '42',
  creationTime: after(created),
  modificationTime: after(created),
  inode: `i-${name}-${created}`,
  ...extra,
});
const smhSeen = (entries: object[]): Json =>
  json({ sources: { '-:src/a.txt': SOURCE }, folders: { dst: { entries } }, clock: CLOCK });
const smhDecide = (plan: LookupPlan, observed: Json, claimed: string[] = []) =>
  smhMatching.decide(plan, [0], observed, new Set(claimed)).get(0);

describe('SMH matching', () => {
  it('takes a file created provably after the send with the source size and crc64 for the copy', () => {
    expect(smhDecide(smhPlan('FAIL'), smhSeen([file('a.txt', 4)]))).toEqual({
      status: 'SUCCEEDED',
      result: 'dst/a.txt',
      renamed: false,
    });
  });

  it('never takes an older identical file, another content, or a claimed copy', () => {
    expect(smhDecide(smhPlan('FAIL'), smhSeen([file('a.txt', -60)]))?.status).toBe('UNKNOWN');
    expect(smhDecide(smhPlan('FAIL'), smhSeen([file('a.txt', 4, { crc64: '43' })]))?.status).toBe('UNKNOWN');
    expect(smhDecide(smhPlan('FAIL'), smhSeen([file('a.txt', 4)]), ['dst/a.txt'])?.status).toBe('UNKNOWN');
  });

  it.each(['FAIL', 'RENAME', 'OVERWRITE'])(
    '%s: never takes a file made around the send (an earlier copy a moment before is not provably new)',
    (strategy) => {
      for (const created of [-1.5, -0.4, 0, 0.9, 2]) {
        const entries = [file('a.txt', created)];
        if (strategy === 'RENAME') entries.push(file('a (1).txt', created));
        expect(smhDecide(smhPlan(strategy), smhSeen(entries))?.status).toBe('UNKNOWN');
      }
      // Nor anything by time when no answer showed SMH's clock.
      const noClock = json({
        sources: { '-:src/a.txt': SOURCE },
        folders: { dst: { entries: [file('a.txt', 60)] } },
      });
      expect(smhDecide(smhPlan(strategy), noClock)?.status).toBe('UNKNOWN');
    },
  );

  it('finds a renamed copy, and stays undecided between two', () => {
    expect(smhDecide(smhPlan('RENAME'), smhSeen([file('a.txt', -60), file('a (2).txt', 4)]))).toEqual({
      status: 'SUCCEEDED',
      result: 'dst/a (2).txt',
      renamed: true,
    });
    expect(smhDecide(smhPlan('RENAME'), smhSeen([file('a (1).txt', 4), file('a (2).txt', 4)]))?.status).toBe(
      'UNKNOWN',
    );
  });

  it('takes an overwrite by its modification time', () => {
    const overwritten = file('a.txt', -60, { modificationTime: after(4) });
    expect(smhDecide(smhPlan('OVERWRITE'), smhSeen([overwritten]))?.status).toBe('SUCCEEDED');
    const around = file('a.txt', -60, { modificationTime: after(0.5) });
    expect(smhDecide(smhPlan('OVERWRITE'), smhSeen([around]))?.status).toBe('UNKNOWN');
    expect(smhDecide(smhPlan('FAIL'), smhSeen([overwritten]))?.status).toBe('UNKNOWN');
  });

  it('with a snapshot: FAIL onto an unchanged taken name is CONFLICT; a new inode is a copy whatever its time', () => {
    const old = file('a.txt', -60, { size: '99', crc64: '1' });
    const before: SmhObserved = { sources: { '-:src/a.txt': SOURCE }, folders: { dst: { entries: [old] } } };
    const conflict = smhDecide(smhPlan('FAIL', before), smhSeen([old]));
    expect(conflict).toMatchObject({ status: 'FAILED', error: { code: 'CONFLICT', retryable: false } });
    const empty: SmhObserved = { sources: { '-:src/a.txt': SOURCE }, folders: { dst: { missing: true } } };
    expect(smhDecide(smhPlan('FAIL', empty), smhSeen([file('a.txt', -60)]))?.status).toBe('SUCCEEDED');
    // An entry made a moment before the send is in the snapshot: not new, however close its time.
    const earlier = file('a.txt', -0.3);
    const taken: SmhObserved = {
      sources: { '-:src/a.txt': SOURCE },
      folders: { dst: { entries: [earlier] } },
    };
    expect(smhDecide(smhPlan('RENAME', taken), smhSeen([earlier]))?.status).toBe('UNKNOWN');
    expect(smhDecide(smhPlan('RENAME', taken), smhSeen([earlier, file('a (1).txt', 0.2)]))).toEqual({
      status: 'SUCCEEDED',
      result: 'dst/a (1).txt',
      renamed: true,
    });
    // A snapshot without inodes proves nothing by them: times decide.
    const bare: SmhObserved = {
      sources: { '-:src/a.txt': SOURCE },
      folders: { dst: { entries: [{ ...earlier, inode: undefined }] } },
    };
    expect(smhDecide(smhPlan('RENAME', bare), smhSeen([earlier, file('a (1).txt', 0.2)]))?.status).toBe(
      'UNKNOWN',
    );
  });

  it('leaves directories and unreadable folders undecided', () => {
    const dir = json({
      sources: { '-:src/a.txt': { name: 'a.txt', type: 'dir' } },
      folders: { dst: { entries: [{ name: 'a.txt', type: 'dir', creationTime: after(4) }] } },
      clock: CLOCK,
    });
    expect(smhDecide(smhPlan('FAIL'), dir)?.status).toBe('UNKNOWN');
    const broken = json({ sources: { '-:src/a.txt': SOURCE }, folders: { dst: { error: 'x' } } });
    expect(smhDecide(smhPlan('FAIL'), broken)?.status).toBe('UNKNOWN');
  });
});

function dtPlan(strategy: string, before?: DingTalkObserved): LookupPlan {
  return {
    provider: 'DINGTALK',
    scope: json({ spaceId: 's', unionId: 'u', targetSpaceId: 't', targetFolderId: 'f' }),
    items: [{ index: 0, source: 'd1', target: 'f', strategy: strategy as 'FAIL' }],
    sentAt: SENT,
    ...(before ? { before: json(before) } : {}),
  };
}
const DT_SOURCE = { id: 'd1', name: 'r.pdf', type: 'FILE', size: 10 };
const dentry = (id: string, name: string, created: number, extra: object = {}) => ({
  id,
  name,
  type: 'FILE',
  size: 10,
  status: 'NORMAL',
  version: 1,
  createTime: after(created),
  modifiedTime: after(created),
  ...extra,
});
const dtSeen = (entries: object[], extra: object = {}): Json =>
  json({ sources: { d1: DT_SOURCE }, folder: { entries }, clock: CLOCK, ...extra });
const dtDecide = (plan: LookupPlan, observed: Json) =>
  dingTalkMatching.decide(plan, [0], observed, new Set()).get(0);

describe('DingTalk matching', () => {
  it('takes a new entry with the name, type and size', () => {
    expect(dtDecide(dtPlan('FAIL'), dtSeen([dentry('n1', 'r.pdf', 4)]))).toEqual({
      status: 'SUCCEEDED',
      result: 'n1',
      renamed: false,
    });
    expect(dtDecide(dtPlan('FAIL'), dtSeen([dentry('n1', 'r.pdf', -5)]))?.status).toBe('UNKNOWN');
    expect(dtDecide(dtPlan('FAIL'), dtSeen([dentry('n1', 'r.pdf', 4, { size: 11 })]))?.status).toBe(
      'UNKNOWN',
    );
    expect(dtDecide(dtPlan('FAIL'), dtSeen([dentry('n1', 'r(1).pdf', 4)]))?.status).toBe('UNKNOWN');
  });

  it.each(['FAIL', 'RENAME', 'OVERWRITE', 'KEEP_EXISTING'])(
    '%s: never takes an entry made around the send (an earlier copy a moment before is not provably new)',
    (strategy) => {
      for (const created of [-1, 0, 1, 2]) {
        const entries = [dentry('n1', 'r.pdf', created)];
        if (strategy === 'RENAME') entries.push(dentry('n2', 'r(1).pdf', created));
        expect(dtDecide(dtPlan(strategy), dtSeen(entries))?.status).toBe('UNKNOWN');
      }
      const noClock = json({ sources: { d1: DT_SOURCE }, folder: { entries: [dentry('n1', 'r.pdf', 60)] } });
      expect(dtDecide(dtPlan(strategy), noClock)?.status).toBe('UNKNOWN');
    },
  );

  it('with a snapshot: an id the folder did not hold is new whatever its time; one it held is not', () => {
    const earlier = dentry('n0', 'r.pdf', 0);
    const before: DingTalkObserved = { sources: { d1: DT_SOURCE }, folder: { entries: [earlier] } };
    const renamed = dentry('n1', 'r(1).pdf', 0);
    expect(
      dtDecide(dtPlan('RENAME', before), dtSeen([renamed, earlier], { known: { n0: earlier } })),
    ).toEqual({
      status: 'SUCCEEDED',
      result: 'n1',
      renamed: false,
    });
    expect(dtDecide(dtPlan('RENAME', before), dtSeen([earlier], { known: { n0: earlier } }))?.status).toBe(
      'UNKNOWN',
    );
  });

  it('reads renamed variants loosely, only under RENAME', () => {
    expect(isRenamedVariant('r(1).pdf', 'r.pdf', true)).toBe(true);
    expect(isRenamedVariant('r (12).pdf', 'r.pdf', true)).toBe(true);
    expect(isRenamedVariant('r.pdf', 'r.pdf', true)).toBe(false);
    expect(isRenamedVariant('r(1).txt', 'r.pdf', true)).toBe(false);
    expect(dtDecide(dtPlan('RENAME'), dtSeen([dentry('n2', 'r(1).pdf', 4)]))?.status).toBe('SUCCEEDED');
  });

  it('takes an overwrite in place by its modified time', () => {
    const overwritten = dentry('old', 'r.pdf', -60, { modifiedTime: after(4), version: 2 });
    expect(dtDecide(dtPlan('OVERWRITE'), dtSeen([overwritten]))).toMatchObject({ result: 'old' });
    expect(dtDecide(dtPlan('FAIL'), dtSeen([overwritten]))?.status).toBe('UNKNOWN');
  });

  it('with a snapshot: FAIL onto a name still taken is CONFLICT, KEEP_EXISTING answers the existing entry', () => {
    const old = dentry('old', 'r.pdf', -60, { size: 99 });
    const before: DingTalkObserved = { sources: { d1: DT_SOURCE }, folder: { entries: [old] } };
    const seen = dtSeen([], { known: { old } });
    expect(dtDecide(dtPlan('FAIL', before), seen)).toMatchObject({
      status: 'FAILED',
      error: { code: 'CONFLICT' },
    });
    expect(dtDecide(dtPlan('KEEP_EXISTING', before), seen)).toEqual({
      status: 'SUCCEEDED',
      result: 'old',
      renamed: false,
    });
    // Gone since: nothing can be said.
    expect(dtDecide(dtPlan('FAIL', before), dtSeen([], { known: { old: null } }))?.status).toBe('UNKNOWN');
  });

  it('takes a new folder only when its tree equals the source tree', () => {
    const folderSource = { id: 'd1', name: 'p', type: 'FOLDER' };
    const seen = (tree: string[]) =>
      json({
        sources: { d1: folderSource },
        folder: {
          entries: [{ id: 'n3', name: 'p', type: 'FOLDER', status: 'NORMAL', createTime: after(4) }],
        },
        clock: CLOCK,
        trees: { d1: ['a\u0000FILE\u00001'], n3: tree },
      });
    expect(dtDecide(dtPlan('FAIL'), seen(['a\u0000FILE\u00001']))).toMatchObject({
      status: 'SUCCEEDED',
      result: 'n3',
    });
    expect(dtDecide(dtPlan('FAIL'), seen([]))?.status).toBe('UNKNOWN');
  });
});

describe('applyVerdicts', () => {
  it('settles UNKNOWN items with TARGET_LOOKUP and stamps undecided ones', () => {
    const at = new Date(SENT);
    const base = { source: 's', renamed: false, evidence: 'NONE' as const };
    const items = applyVerdicts(
      [
        {
          ...base,
          index: 0,
          status: 'UNKNOWN',
          error: { code: 'UPSTREAM_TIMEOUT', message: 'm', retryable: false },
        },
        { ...base, index: 1, status: 'UNKNOWN' },
        { ...base, index: 2, status: 'SUCCEEDED', evidence: 'UPSTREAM_ANSWER' },
      ],
      new Map([
        [0, { status: 'SUCCEEDED', result: 'r', renamed: false }],
        [1, { status: 'UNKNOWN', reason: 'x' }],
        [2, { status: 'SUCCEEDED', result: 'other', renamed: false }],
      ]),
      at,
    );
    expect(items[0]).toEqual({
      ...base,
      index: 0,
      status: 'SUCCEEDED',
      result: 'r',
      evidence: 'TARGET_LOOKUP',
      checkedAt: at,
    });
    expect(items[1]).toEqual({ ...base, index: 1, status: 'UNKNOWN', checkedAt: at });
    expect(items[2]?.result).toBeUndefined();
  });
});

describe("the gateway's own results (lookup without a snapshot)", () => {
  /** A view the registry answered: `produced` results recorded at the given offsets (s) from the send. */
  const view = (produced: Record<string, number> = {}, asked: string[] = []) => {
    const v = new ProducedView();
    v.add(
      new Map<string, number | null>([
        ...asked.map((r): [string, null] => [r, null]),
        ...Object.entries(produced).map(([r, s]): [string, number] => [r, SENT + s * 1000]),
      ]),
    );
    return v;
  };
  const smh = (strategy: string, entries: object[], v: ProducedView) =>
    smhMatching.decide(smhPlan(strategy), [0], smhSeen(entries), new Set(), v).get(0);
  const dt = (strategy: string, entries: object[], v: ProducedView) =>
    dingTalkMatching.decide(dtPlan(strategy), [0], dtSeen(entries), new Set(), v).get(0);

  it('takes an entry made around the send when the gateway did not produce it, asking for it first', () => {
    const unasked = new ProducedView();
    smh('FAIL', [file('a.txt', 0)], unasked);
    expect([...unasked.missing]).toEqual(['dst/a.txt']);
    for (const created of [-2, -0.4, 0, 0.9, 2]) {
      expect(smh('FAIL', [file('a.txt', created)], view({}, ['dst/a.txt']))).toEqual({
        status: 'SUCCEEDED',
        result: 'dst/a.txt',
        renamed: false,
      });
      expect(dt('FAIL', [dentry('n1', 'r.pdf', created)], view({}, ['n1']))).toMatchObject({
        status: 'SUCCEEDED',
        result: 'n1',
      });
    }
  });

  it('never takes an entry the gateway produced (an earlier request a moment before), nor one surely older', () => {
    for (const strategy of ['FAIL', 'RENAME', 'OVERWRITE']) {
      expect(smh(strategy, [file('a.txt', -0.5)], view({ 'dst/a.txt': -0.3 }))?.status).toBe('UNKNOWN');
      expect(dt(strategy, [dentry('n1', 'r.pdf', -0.5)], view({ n1: -0.3 }))?.status).toBe('UNKNOWN');
    }
    expect(smh('FAIL', [file('a.txt', -60)], view({}, ['dst/a.txt']))?.status).toBe('UNKNOWN');
    expect(dt('FAIL', [dentry('n1', 'r.pdf', -60)], view({}, ['n1']))?.status).toBe('UNKNOWN');
  });

  it('RENAME: skips the earlier copy the gateway produced and takes the sibling it did not', () => {
    const entries = [file('a.txt', -0.5), file('a (1).txt', 0)];
    expect(smh('RENAME', entries, view({ 'dst/a.txt': -0.3 }, ['dst/a (1).txt']))).toEqual({
      status: 'SUCCEEDED',
      result: 'dst/a (1).txt',
      renamed: true,
    });
    const dentries = [dentry('n1', 'r.pdf', -0.5), dentry('n2', 'r(1).pdf', 0)];
    expect(dt('RENAME', dentries, view({ n1: -0.3 }, ['n2']))).toMatchObject({
      status: 'SUCCEEDED',
      result: 'n2',
    });
  });

  it('OVERWRITE in place: an overwrite the gateway produced around or after the send is not this one', () => {
    const overwritten = file('a.txt', -60, { modificationTime: after(4) });
    // Provably after the send, but the gateway recorded that path as another request's result since.
    expect(smh('OVERWRITE', [overwritten], view({ 'dst/a.txt': 4 }))?.status).toBe('UNKNOWN');
    // Recorded long before the send: the later modification is not that request's.
    expect(smh('OVERWRITE', [overwritten], view({ 'dst/a.txt': -30 }))?.status).toBe('SUCCEEDED');
    const around = file('a.txt', -60, { modificationTime: after(0) });
    expect(smh('OVERWRITE', [around], view({ 'dst/a.txt': -1 }))?.status).toBe('UNKNOWN');
    expect(smh('OVERWRITE', [around], view({}, ['dst/a.txt']))?.status).toBe('SUCCEEDED');
  });

  it('no reading of the clock: nothing around the send is taken', () => {
    const noClock = json({
      sources: { '-:src/a.txt': SOURCE },
      folders: { dst: { entries: [file('a.txt', 0)] } },
    });
    expect(
      smhMatching.decide(smhPlan('FAIL'), [0], noClock, new Set(), view({}, ['dst/a.txt'])).get(0)?.status,
    ).toBe('UNKNOWN');
  });
});
