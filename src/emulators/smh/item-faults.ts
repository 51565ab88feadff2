/**
 * Per-item failures, for the item-level 500 (and any other status) that a real service can return inside
 * an otherwise healthy 207 response. Separate from the request-level FaultInjector on purpose.
 */
export interface ItemFaultRule {
  /** Only items whose `copyFrom` path (segments joined with `/`) contains this string. */
  copyFromIncludes?: string;
  /** Only items whose `to` path contains this string. */
  toIncludes?: string;
  status: number;
  code: string;
  message?: string;
  /** Fire this many times, then disappear. Unset: every match. */
  times?: number;
}

/** The failed result one item gets. */
export interface ItemFailure {
  status: number;
  code: string;
  message: string;
}

/** Holds item fault rules and picks the one that fires for an item. */
export class ItemFaultInjector {
  #rules: ItemFaultRule[] = [];
  #fired = 0;

  add(rule: ItemFaultRule): void {
    this.#rules.push({ ...rule });
  }

  clear(): void {
    this.#rules = [];
  }

  get firedCount(): number {
    return this.#fired;
  }

  pick(copyFrom: readonly string[], to: readonly string[]): ItemFailure | undefined {
    const from = copyFrom.join('/');
    const dest = to.join('/');
    for (const rule of this.#rules) {
      if (rule.copyFromIncludes !== undefined && !from.includes(rule.copyFromIncludes)) continue;
      if (rule.toIncludes !== undefined && !dest.includes(rule.toIncludes)) continue;
      if (rule.times !== undefined) {
        rule.times -= 1;
        if (rule.times <= 0) this.#rules = this.#rules.filter((r) => r !== rule);
      }
      this.#fired += 1;
      return { status: rule.status, code: rule.code, message: rule.message ?? rule.code };
    }
    return undefined;
  }
}

/** True when untrusted JSON is a valid {@link ItemFaultRule}. */
export function isItemFaultRule(value: unknown): value is ItemFaultRule {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    Number.isInteger(v.status) &&
    typeof v.code === 'string' &&
    (v.copyFromIncludes === undefined || typeof v.copyFromIncludes === 'string') &&
    (v.toIncludes === undefined || typeof v.toIncludes === 'string') &&
    (v.message === undefined || typeof v.message === 'string') &&
    (v.times === undefined || Number.isInteger(v.times))
  );
}
