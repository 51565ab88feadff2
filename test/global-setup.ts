import { execFileSync } from 'node:child_process';

/** Process-level tests run the compiled gateway, as `npm start` does; build it once (a no-op when fresh). */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'tsconfig.json'], {
    stdio: 'inherit',
  });
}
