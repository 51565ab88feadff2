/**
 * What the upstream rate-limit tests share: fresh DingTalk sources to copy, one batch copy over HTTP,
 * and the busiest second of the emulator's per-second call counts.
 */
import { DINGTALK_SEED as SEED, type DingTalkEmulator } from '../../src/emulators/dingtalk/index.js';
import { seededDingTalkInput } from './dingtalk-input.js';
import { postGraphql } from './process.js';

/** One item of a batch copy's answer. */
export interface CopyItem {
  index: number;
  status: string;
  source: string;
  evidence: string;
  error: { code: string; message: string; retryable: boolean } | null;
}

/** A batch copy's answer: its result type and items in request order. */
export interface CopyAnswer {
  __typename: string;
  items: CopyItem[];
}

const COPY = /* GraphQL */ `
  mutation Copy($input: DingTalkBatchCopyInput!) {
    batchCopy(input: { dingtalk: $input }) {
      __typename
      ... on CopyOutcome {
        items {
          index
          status
          source
          evidence
          error {
            code
            message
            retryable
          }
        }
      }
    }
  }
`;

let made = 0;

/** `count` new files in the seeded source space (names start with `label`), by id. */
export function newSources(emu: DingTalkEmulator, count: number, label: string): string[] {
  return Array.from({ length: count }, () => {
    made += 1;
    return emu.state.createFile(SEED.sourceSpaceId, `${label}-${made}.txt`).id;
  });
}

/** Copies `ids` into the seeded target space's root through the gateway at `url`; throws on GraphQL errors. */
export async function dingTalkCopy(
  url: string,
  ids: readonly string[],
  headers: Record<string, string> = {},
): Promise<CopyAnswer> {
  const input = seededDingTalkInput(ids, { conflictStrategy: 'RENAME' });
  const body = await postGraphql<{ batchCopy: CopyAnswer }>(url, COPY, { input }, headers);
  if (!body.data) throw new Error(`batchCopy failed: ${JSON.stringify(body.errors)}`);
  return body.data.batchCopy;
}

/** The most calls any one second of `perSecond` (`{epochSecond: calls}`, as callRates gives) saw. */
export function busiestSecond(perSecond: Record<string, number> | undefined): number {
  return Math.max(0, ...Object.values(perSecond ?? {}));
}
