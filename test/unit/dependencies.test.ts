import { readFileSync } from 'node:fs';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

/**
 * `npm run lint:deps` checks the rules of .dependency-cruiser.json on files and folders. Root files of
 * src/ all sit in one folder there, so a folder and a root file importing each other (as the copy
 * domain and metrics.ts once did) needs this check on the graph collapsed to the first level.
 */
const config = JSON.parse(
  readFileSync(new URL('../../.dependency-cruiser.json', import.meta.url), 'utf8'),
) as IConfiguration;

/** The graph of src/ with every folder and every root file as one node (`src/copy/`, `src/app.ts`). */
async function topLevelGraph(): Promise<Map<string, Set<string>>> {
  const { output } = await cruise(['src'], {
    ...config.options,
    collapse: '^src/[^/]+/',
    outputType: 'json',
  });
  const result = (typeof output === 'string' ? JSON.parse(output) : output) as ICruiseResult;
  const graph = new Map<string, Set<string>>();
  for (const module of result.modules.filter((m) => m.source.startsWith('src/'))) {
    const targets = module.dependencies.map((d) => d.resolved).filter((r) => r.startsWith('src/'));
    graph.set(module.source, new Set(targets.filter((t) => t !== module.source)));
  }
  return graph;
}

function reachableFrom(graph: Map<string, Set<string>>, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.get(start) ?? [])];
  while (stack.length > 0) {
    const node = stack.pop() as string;
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push(...(graph.get(node) ?? []));
  }
  return seen;
}

describe('the folders and root files of src/', () => {
  it('never import each other, directly or through others', async () => {
    const graph = await topLevelGraph();
    // The check must see the real layout, not an empty cruise.
    expect(graph.get('src/app.ts')).toContain('src/copy/');
    const cycles = [...graph.keys()].flatMap((a) =>
      [...reachableFrom(graph, a)]
        .filter((b) => a < b && reachableFrom(graph, b).has(a))
        .map((b) => `${a} ⇄ ${b}`),
    );
    expect(cycles).toEqual([]);
  });
});
