import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const run = promisify(execFile);
const DOCKERFILE = readFileSync('Dockerfile', 'utf8');
const dockerfile = DockerfileParser.parse(DOCKERFILE);

/** Every rule of the linter as an error: a warning would otherwise pass unnoticed. */
const STRICT: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

function lint(content: string): string[] {
  return validate(content, STRICT).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
}

/** The instructions of the last stage: what the image runs. */
function runtimeStage(): Instruction[] {
  const from = dockerfile.getFROMs().at(-1)!;
  const start = from.getRange().start.line;
  return dockerfile.getInstructions().filter((i) => i.getRange().start.line >= start);
}

/** An instruction's text after its keyword, flags included, continuation lines joined. */
function text(instruction: Instruction): string {
  const { start, end } = instruction.getRange();
  const lines = DOCKERFILE.split('\n')
    .slice(start.line, end.line + 1)
    .join('\n');
  return lines
    .replace(/\\\r?\n\s*/g, ' ')
    .slice(instruction.getKeyword().length)
    .trim();
}

function argumentsOf(stage: Instruction[], keyword: string): string[] {
  return stage.filter((i) => i.getKeyword() === keyword).map(text);
}

/** The HEALTHCHECK's exec-form command, e.g. ["node", "-e", "…"]. */
function healthcheckCommand(): string[] {
  const [content] = argumentsOf(runtimeStage(), 'HEALTHCHECK');
  const json = /\bCMD\s+(\[.*\])\s*$/s.exec(content!)?.[1];
  return JSON.parse(json!) as string[];
}

describe('Dockerfile', () => {
  it('passes the Dockerfile linter (dockerfile-utils, every rule an error)', () => {
    expect(lint(DOCKERFILE)).toEqual([]);
  });

  it('the linter reports what Docker would refuse or ignore', () => {
    const broken =
      'FROM node:24 AS app\nworkdir app\nHEALTHCHECK --interval=10 CMD true\nENV A\nFROM node:24 AS app\n';
    expect(lint(broken).sort()).toEqual([
      'line 1: duplicate name app',
      'line 2: Instructions should be written in uppercase letters',
      'line 2: WORKDIR paths should be absolute',
      'line 3: time: missing unit in duration 10',
      'line 4: ENV must have two arguments',
      'line 5: duplicate name app',
    ]);
  });

  it('builds in one stage and runs production dependencies only, as a non-root user, in another', () => {
    const stages = dockerfile.getFROMs().map((from) => from.getBuildStage());
    expect(stages).toEqual(['build', 'runtime']);
    const runtime = runtimeStage();
    expect(argumentsOf(runtime, 'RUN').some((command) => /\bnpm ci\b.*--omit=dev/.test(command))).toBe(true);
    expect(argumentsOf(runtime, 'USER')).toEqual(['node']);
    expect(argumentsOf(runtime, 'COPY')).toContain('--from=build /app/dist/ dist/');
    expect(argumentsOf(runtime, 'CMD')).toEqual(['["node", "dist/main.js"]']);
  });

  it('sends into the build only what it copies (every COPY source is allowed by .dockerignore)', () => {
    const ignore = readFileSync('.dockerignore', 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = ignore.filter((line) => line.startsWith('!')).map((line) => line.slice(1));
    const sources = dockerfile
      .getInstructions()
      .filter((i) => i.getKeyword() === 'COPY' && !/--from=/.test(text(i)))
      .flatMap((i) =>
        i
          .getArguments()
          .slice(0, -1)
          .map((a) => a.getValue()),
      );
    expect(new Set(sources)).toEqual(new Set(allowed));
  });
});

describe('the image runs with production dependencies only', () => {
  it('every package dist/ imports is a dependency or a Node built-in', () => {
    const { dependencies } = JSON.parse(readFileSync('package.json', 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const files = readdirSync('dist', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    const imported = new Set<string>();
    for (const file of files) {
      const code = readFileSync(join('dist', file), 'utf8');
      const statements =
        /^\s*(?:import|export)\b[^;]*?\bfrom\s*'([^']+)'|^\s*import\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm;
      for (const match of code.matchAll(statements)) {
        const specifier = (match[1] ?? match[2] ?? match[3])!;
        if (specifier.startsWith('.')) continue;
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0]!;
        imported.add(name);
      }
    }
    const missing = [...imported].filter(
      (name) => !(name in dependencies) && !name.startsWith('node:') && !builtinModules.includes(name),
    );
    expect(imported.has('fastify')).toBe(true);
    expect(missing).toEqual([]);
  });
});

describe('the HEALTHCHECK command', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.close());

  async function probe(port: string): Promise<number> {
    const [command, ...args] = healthcheckCommand();
    expect(command).toBe('node');
    try {
      await run(process.execPath, args, { env: { ...process.env, PORT: port }, timeout: 10_000 });
      return 0;
    } catch (error) {
      return (error as { code: number }).code;
    }
  }

  it('succeeds against a healthy gateway and fails when nothing answers', async () => {
    const port = new URL(gateway.url).port;
    expect(await probe(port)).toBe(0);
    await gateway.close();
    expect(await probe(port)).toBe(1);
  });
});
