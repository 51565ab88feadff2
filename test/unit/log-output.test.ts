import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import {
  chooseLogOutput,
  loadPinoPretty,
  prettyDestination,
  type LogOutputInput,
} from '../../src/log-output.js';

const demoInTerminal: LogOutputInput = {
  demo: true,
  terminal: true,
  prettyInstalled: true,
  level: 'info',
  levelSet: false,
};

describe('chooseLogOutput', () => {
  it('prints pretty warnings and errors only for a person running the demo in a terminal', () => {
    expect(chooseLogOutput(demoInTerminal)).toEqual({ pretty: true, level: 'warn' });
  });

  it('keeps an explicit LOG_LEVEL in the pretty demo', () => {
    expect(chooseLogOutput({ ...demoInTerminal, level: 'debug', levelSet: true })).toEqual({
      pretty: true,
      level: 'debug',
    });
  });

  it.each([
    ['production in a terminal', { demo: false }],
    ['the demo piped elsewhere', { terminal: false }],
    ['the demo without pino-pretty installed', { prettyInstalled: false }],
  ])('writes JSON at the configured level for %s', (_case, change) => {
    expect(chooseLogOutput({ ...demoInTerminal, ...change })).toEqual({ pretty: false, level: 'info' });
  });
});

describe('the pretty destination', () => {
  it('writes a line a person reads, still redacting secrets', async () => {
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString('utf8');
        done();
      },
    });
    const pretty = loadPinoPretty();
    expect(pretty).toBeDefined();
    const logger = createLogger('info', prettyDestination(pretty!, sink));
    logger.info({ req: { headers: { authorization: 'Bearer s3cret' } }, items: 3 }, 'copy finished');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [first] = text.split('\n');
    expect(first).toMatch(/^\[\d\d:\d\d:\d\d\] INFO.*: copy finished$/);
    expect(text).toContain('items: 3');
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain('s3cret');
  });
});
