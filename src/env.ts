/**
 * Environment variables → typed values. A reader records every bad variable instead of stopping at the
 * first, so one start-up error names all of them; each problem names the variable and what it expects.
 */

/** Environment variables by name (`process.env`, or a test's own). */
export type Env = Readonly<Record<string, string | undefined>>;

/** One bad variable: its name, what it expects, and (unless it is a secret) what it held. */
export interface ConfigProblem {
  variable: string;
  expected: string;
  got?: string;
}

const describe = (p: ConfigProblem) =>
  `${p.variable}: expected ${p.expected}${p.got === undefined ? '' : `, got ${JSON.stringify(p.got)}`}`;

/**
 * The configuration cannot run. The message lists every problem on one line (`VAR: expected …; VAR2:
 * expected …`), so an operator can fix them all from one log line.
 */
export class ConfigError extends Error {
  /** The first bad variable. */
  readonly variable: string;
  /** Every bad variable, in the order they were read. */
  readonly problems: readonly ConfigProblem[];

  /** @param problems - at least one. */
  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map(describe).join('; '));
    this.name = 'ConfigError';
    this.problems = problems;
    this.variable = problems[0]?.variable ?? '';
  }
}

/**
 * Reads variables from `env`, trimming them (an empty value is unset). A bad value is recorded in
 * {@link problems} and the reader goes on with the fallback, so later checks still run.
 */
export class EnvReader {
  readonly #problems: ConfigProblem[] = [];

  constructor(private readonly env: Env) {}

  /** Problems found so far; one per variable (the first one found). */
  get problems(): readonly ConfigProblem[] {
    return this.#problems;
  }

  /** Records a problem with `variable`, unless it already has one. Leave `got` out for secrets. */
  problem(variable: string, expected: string, got?: string): void {
    if (this.#problems.some((p) => p.variable === variable)) return;
    this.#problems.push(got === undefined ? { variable, expected } : { variable, expected, got });
  }

  /** Throws a ConfigError listing every problem, if there is any. */
  assertValid(): void {
    if (this.#problems.length > 0) throw new ConfigError(this.#problems);
  }

  /** The trimmed value, or undefined when unset or blank. */
  text(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  /** A decimal integer from `min` to `max`; `fallback` when unset or bad. */
  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      this.problem(name, `an integer from ${min} to ${max}`, raw);
      return fallback;
    }
    return value;
  }

  /** 1/true/yes/on or 0/false/no/off (any case); `fallback` when unset or bad. */
  flag(name: string, fallback: boolean): boolean {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    this.problem(name, '1/true/yes/on or 0/false/no/off', raw);
    return fallback;
  }

  /**
   * An absolute http(s) URL without credentials or query string, as origin + path without a trailing
   * slash; undefined when unset or bad.
   */
  httpUrl(name: string): string | undefined {
    const raw = this.text(name);
    if (raw === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      this.problem(name, 'an absolute http:// or https:// URL', raw);
      return undefined;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.problem(name, 'an absolute http:// or https:// URL', raw);
      return undefined;
    }
    if (url.username || url.password || url.search) {
      // Credentials in a base URL would end up in logs; they belong in the dedicated variables.
      this.problem(name, 'a URL without credentials or a query string');
      return undefined;
    }
    return url.origin + url.pathname.replace(/\/+$/, '');
  }

  /**
   * Comma-separated web origins (`scheme://host[:port]`, http or https, as a browser sends them in
   * `Origin`), normalized (host in lower case, default port left out); blank entries are skipped.
   * Anything else (a path, even `/`, a query, credentials, `*`, `null`) is a problem listing every bad
   * entry (those with credentials only as such). Undefined when unset.
   */
  origins(name: string): string[] | undefined {
    const raw = this.text(name);
    if (raw === undefined) return undefined;
    const entries = raw
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const origins = entries.map(webOrigin);
    const bad = entries
      .filter((_entry, i) => origins[i] === undefined)
      // Credentials in an entry are not echoed.
      .map((entry) => (entry.includes('@') ? '(an entry with credentials)' : entry));
    if (bad.length > 0) {
      this.problem(
        name,
        'exact origins such as https://app.example.com or http://localhost:3000, comma-separated (no path, no trailing /, no *)',
        bad.join(', '),
      );
      return undefined;
    }
    return [...new Set(origins as string[])];
  }

  /**
   * Two variables that only make sense together (an id and its secret): both values, or a problem
   * naming the one that is missing. Values are never echoed (one of them is a secret).
   */
  pair(first: string, second: string): [string, string] | undefined {
    const a = this.text(first);
    const b = this.text(second);
    if (a !== undefined && b !== undefined) return [a, b];
    if (a !== undefined || b !== undefined) {
      this.problem(a === undefined ? first : second, 'to be set together with its pair');
    }
    return undefined;
  }
}

/** The origin `text` names exactly (`scheme://host[:port]`, http or https), normalized; else undefined. */
function webOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const exact =
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    !url.username &&
    !url.password &&
    // URL adds a path of `/`; the text itself must end at the host or port.
    url.pathname === '/' &&
    !text.endsWith('/') &&
    !text.includes('?') &&
    !text.includes('#') &&
    !text.includes('*');
  return exact ? url.origin : undefined;
}
