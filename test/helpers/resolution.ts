/**
 * The documents and answer shapes of the outcome-resolution tests: one batch copy per provider and one
 * task read, selecting what a look settles (`status`, `result`, `evidence`, `checkedAt`).
 */

/** One item as the resolution tests read it. */
export interface ResolvedItem {
  index: number;
  status: string;
  source: string;
  target: string | null;
  result: string | null;
  renamed: boolean;
  evidence: string;
  checkedAt: string | null;
  error: { code: string } | null;
}

/** A task as the resolution tests read it. */
export interface ResolvingTask {
  id: string;
  state: string;
  done: boolean;
}

/** A batch copy's answer: its items and, when accepted, its task. */
export interface ResolutionCopyAnswer {
  batchCopy: { __typename: string; items: ResolvedItem[]; task?: ResolvingTask };
}

/** A `copyTask` answer. */
export interface ResolutionTaskAnswer {
  copyTask: Omit<ResolvingTask, 'id'> & { items: ResolvedItem[] };
}

const ITEM = `
          index
          status
          source
          target
          result
          renamed
          evidence
          checkedAt
          error {
            code
          }`;

function copyDocument(inputType: string, field: string): string {
  return /* GraphQL */ `
  mutation Copy($input: ${inputType}!) {
    batchCopy(input: { ${field}: $input }) {
      __typename
      ... on CopyOutcome {
        items {${ITEM}
        }
      }
      ... on CopyAccepted {
        task {
          id
          state
          done
        }
      }
    }
  }
`;
}

/** A batch copy of `SmhBatchCopyInput` items. */
export const SMH_COPY = copyDocument('SmhBatchCopyInput', 'smh');
/** A batch copy of `DingTalkBatchCopyInput` ids. */
export const DINGTALK_COPY = copyDocument('DingTalkBatchCopyInput', 'dingtalk');

/** One task, by id. */
export const TASK = /* GraphQL */ `
  query Task($id: ID!) {
    copyTask(id: $id) {
      state
      done
      items {${ITEM}
      }
    }
  }
`;
