import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { operationDeadline } from '../../src/http/request-context.js';

describe('operationDeadline', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts with a TimeoutError once the time is up', () => {
    const deadline = operationDeadline(1000);
    vi.advanceTimersByTime(999);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
    expect((deadline.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('leaves no timer behind once ended, and then never aborts', () => {
    const before = vi.getTimerCount();
    const deadline = operationDeadline(1000);
    expect(vi.getTimerCount()).toBe(before + 1);
    deadline.end();
    expect(vi.getTimerCount()).toBe(before);
    vi.advanceTimersByTime(5000);
    expect(deadline.signal.aborted).toBe(false);
  });
});
