/**
 * Everything the emulator knows, with the test-facing API. Reads go through `sync()` first so running
 * copy tasks have caught up with the clock before anyone looks at the tree.
 */
import type { Clock } from '../kit/clock.js';
import type { RequestFailureRule } from './store.js';
import {
  DentryStore,
  ROOT_ID,
  type CreateDentryInput,
  type Dentry,
  type Space,
  type TreeNode,
} from './store.js';
import { TaskManager, type TaskView } from './tasks.js';
import { TokenStore, type IssuedToken } from './tokens.js';

/** Clock, task duration, token lifetime (seconds) and random source of the state. */
export interface DingTalkStateOptions {
  clock: Clock;
  taskDurationMs: number;
  tokenTtlSeconds: number;
  random: () => number;
}

/** Everything the emulator knows, with the test-facing API. */
export class DingTalkState {
  readonly store = new DentryStore();
  readonly tokens: TokenStore;
  readonly tasks: TaskManager;
  /** Known operators. Informational: the emulator does not reject unknown union ids. */
  readonly users = new Set<string>();
  readonly clock: Clock;

  constructor(opts: DingTalkStateOptions) {
    this.clock = opts.clock;
    this.tokens = new TokenStore(opts.clock, opts.tokenTtlSeconds, opts.random);
    this.tasks = new TaskManager(this.store, opts.clock, opts.taskDurationMs);
  }

  sync(): void {
    this.tasks.advance();
  }

  addApp(appKey: string, appSecret: string): void {
    this.tokens.addApp(appKey, appSecret);
  }

  addUser(unionId: string): void {
    this.users.add(unionId);
  }

  issueToken(appKey: string): IssuedToken {
    return this.tokens.issue(appKey);
  }

  createSpace(input: { id?: string; name?: string; quota?: number } = {}): Space {
    return this.store.createSpace(input);
  }

  /** A file of `size` bytes (default 1024), created now on the emulator clock. */
  createFile(
    spaceId: string,
    name: string,
    opts: { parentId?: string; id?: string; size?: number; creatorId?: string } = {},
  ): Dentry {
    return this.createDentry({ spaceId, name, type: 'FILE', ...opts });
  }

  createFolder(
    spaceId: string,
    name: string,
    opts: { parentId?: string; id?: string; creatorId?: string } = {},
  ): Dentry {
    return this.createDentry({ spaceId, name, type: 'FOLDER', ...opts });
  }

  /** Creates a dentry now on the emulator clock (unless `now` is given). */
  createDentry(input: Omit<CreateDentryInput, 'now'> & { now?: number }): Dentry {
    this.sync();
    return this.store.createDentry({ ...input, now: input.now ?? this.clock.now() });
  }

  getDentry(id: string): Dentry | undefined {
    this.sync();
    return this.store.getDentry(id);
  }

  children(spaceId: string, parentId: string = ROOT_ID): Dentry[] {
    this.sync();
    return this.store.children(spaceId, parentId);
  }

  findChild(spaceId: string, parentId: string, name: string): Dentry | undefined {
    this.sync();
    return this.store.findChild(spaceId, parentId, name);
  }

  tree(spaceId: string, parentId: string = ROOT_ID): TreeNode[] {
    this.sync();
    return this.store.tree(spaceId, parentId);
  }

  /** ACL: `unionId` (default: everyone) may not copy this dentry or anything below it. */
  denyCopy(dentryId: string, unionId?: string): void {
    this.store.denyCopy(dentryId, unionId);
  }

  allowCopy(dentryId: string, unionId?: string): void {
    this.store.allowCopy(dentryId, unionId);
  }

  /** Test hook: copying this dentry fails with `errorCode` (as a result item, or as a task sub-item). */
  failOnCopy(dentryId: string, errorCode: string | undefined = 'systemError'): void {
    this.store.setFailOnCopy(dentryId, errorCode);
  }

  /**
   * Makes batch copies that name `dentryId` fail at request level (see RequestFailureRule: the error
   * code, its status, and which of the request's other ids run first); undefined removes the rule.
   */
  failRequestOnCopy(dentryId: string, rule: RequestFailureRule | undefined): void {
    this.store.setRequestFailure(dentryId, rule);
  }

  task(id: string): TaskView | undefined {
    return this.tasks.get(id);
  }
}
