// Reads a V8 .cpuprofile (what `node --cpu-prof` writes) and says where the time went: self time (the
// function was on top of the stack) and inclusive time (it was anywhere on the stack), by function and
// by package. Format: https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile
import { readFileSync } from 'node:fs';

/** The npm package a script URL belongs to, or what else it is (our code, Node's internals, V8's own). */
export function packageOf(url, functionName) {
  if (!url) {
    if (functionName === '(garbage collector)') return '(garbage collector)';
    if (functionName === '(idle)' || functionName === '(program)' || functionName === '(root)')
      return functionName;
    return '(native)';
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return 'node (internal)';
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return 'copy-gateway';
  return url;
}

/** Where a function is, short: `name (package file:line)`. */
function describe(frame) {
  const url = frame.url ?? '';
  const file = url.slice(url.lastIndexOf('/') + 1);
  const name = frame.functionName || '(anonymous)';
  return url ? `${name} (${packageOf(url, name)} ${file}:${frame.lineNumber + 1})` : name;
}

/**
 * Self and inclusive milliseconds by function and by package. `(idle)` is left out of the total: it
 * is time the process waited, not time it spent.
 */
export function summarize(path) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfMs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const self = { fn: new Map(), pkg: new Map() };
  const inclusive = { fn: new Map(), pkg: new Map() };
  const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
  let total = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') continue;
    total += ms;
    add(self.fn, describe(frame), ms);
    add(self.pkg, packageOf(frame.url, frame.functionName), ms);
    // Each function or package counts once per sample, however often it recurs on the stack.
    const seenFn = new Set();
    const seenPkg = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at).callFrame;
      const fn = describe(f);
      const pkg = packageOf(f.url, f.functionName);
      if (!seenFn.has(fn)) {
        seenFn.add(fn);
        add(inclusive.fn, fn, ms);
      }
      if (!seenPkg.has(pkg)) {
        seenPkg.add(pkg);
        add(inclusive.pkg, pkg, ms);
      }
    }
  }
  return { total, self, inclusive };
}

/** The top `n` entries of a map of milliseconds as a markdown table, with shares of `total`. */
export function table(title, map, total, n) {
  const rows = [...map.entries()]
    .filter(([key]) => key !== '(root)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);
  return [
    `| ${title} | ms | % |`,
    '| --- | --- | --- |',
    ...rows.map(
      ([key, ms]) =>
        `| ${key.replaceAll('|', '\\|')} | ${ms.toFixed(0)} | ${((100 * ms) / total).toFixed(1)} |`,
    ),
  ].join('\n');
}
