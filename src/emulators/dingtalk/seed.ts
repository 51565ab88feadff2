import type { DingTalkState } from './state.js';

/** The demo data `seed: true` creates; tests and the demo refer to these ids. */
export const DINGTALK_SEED = {
  appKey: 'dingdemo',
  appSecret: 'dingdemo-secret',
  unionId: 'union-demo',
  sourceSpaceId: 'space-src',
  targetSpaceId: 'space-dst',
  /** Folder in the target space that already holds a file named like `conflictingFileId`. */
  targetFolderId: 'f-target',
  files: ['d-file-1', 'd-file-2', 'd-file-3'],
  /** Same name as `existingTargetFileId` in `targetFolderId`. */
  conflictingFileId: 'd-file-1',
  existingTargetFileId: 'd-dst-1',
  /** Non-empty folder (3 entries below it), so its copy is async. */
  folderId: 'd-folder-1',
  folderEntryCount: 3,
  emptyFolderId: 'd-folder-2',
} as const;

/** Creates the demo app, operator, spaces and tree described by {@link DINGTALK_SEED}; files get sizes. */
export function seedDemo(state: DingTalkState): void {
  const s = DINGTALK_SEED;
  state.addApp(s.appKey, s.appSecret);
  state.addUser(s.unionId);
  state.createSpace({ id: s.sourceSpaceId, name: 'Demo source' });
  state.createSpace({ id: s.targetSpaceId, name: 'Demo target' });

  state.createFile(s.sourceSpaceId, 'report.pdf', { id: 'd-file-1', size: 204_800 });
  state.createFile(s.sourceSpaceId, 'notes.txt', { id: 'd-file-2', size: 1_200 });
  state.createFile(s.sourceSpaceId, 'photo.png', { id: 'd-file-3', size: 51_200 });
  state.createFolder(s.sourceSpaceId, 'projects', { id: s.folderId });
  state.createFile(s.sourceSpaceId, 'plan.docx', { id: 'd-file-4', parentId: s.folderId, size: 30_000 });
  state.createFolder(s.sourceSpaceId, 'archive', { id: 'd-folder-3', parentId: s.folderId });
  state.createFile(s.sourceSpaceId, 'old.txt', { id: 'd-file-5', parentId: 'd-folder-3', size: 400 });
  state.createFolder(s.sourceSpaceId, 'empty', { id: s.emptyFolderId });

  state.createFolder(s.targetSpaceId, 'target', { id: s.targetFolderId });
  state.createFile(s.targetSpaceId, 'report.pdf', {
    id: s.existingTargetFileId,
    parentId: s.targetFolderId,
    // Another size than the source's, so the clash is told apart from a copy.
    size: 99_000,
  });
}
