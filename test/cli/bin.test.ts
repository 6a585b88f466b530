import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { COMMANDS } from '../../cli/main';

/**
 * The installed command: package.json's bin, compiled by `npm run build` (which `npm ci` runs through
 * `prepare`), started by Node as `npx csp-pricing` starts it. Its help must not load the Azure SDKs,
 * or every call would pay for them (commands load their implementation when they run).
 */

const REPO = path.join(__dirname, '../..');
const run = promisify(execFile);

describe('the csp-pricing bin', () => {
  const bin = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> })
    .bin['csp-pricing'];

  beforeAll(async () => {
    await run('npm', ['run', 'build', '--silent'], { cwd: REPO });
  }, 180_000);

  it('is the compiled CLI, a Node script that answers --help', async () => {
    expect(bin).toBe('dist/cli/main.js');
    expect(fs.readFileSync(path.join(REPO, bin), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env -S node --max-old-space-size=160\n/,
    );
    const { stdout, stderr } = await run(process.execPath, [bin, '--help'], { cwd: REPO });
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Usage: csp-pricing <command> \[options\]\n/);
    expect(stdout).toMatch(/^ {2}refresh +the daily price/m);

    const typo = await run(process.execPath, [bin, 'ingets'], { cwd: REPO }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(typo).toMatchObject({ code: 2, stderr: expect.stringContaining('(Did you mean ingest?)') });
  });

  it("loads no Azure SDK for --help, nor for any command's help", async () => {
    const script = `
      const { main } = require('./${bin}');
      main(process.argv.slice(1)).then(() => {
        const azure = Object.keys(require.cache).filter((file) => file.includes('node_modules/@azure/'));
        process.stderr.write(JSON.stringify(azure.length));
      });`;
    for (const args of [['--help'], ...COMMANDS.map((command) => [command.name, '--help'])]) {
      const { stderr } = await run(process.execPath, ['-e', script, '--', ...args], { cwd: REPO });
      expect({ args, azureFilesLoaded: JSON.parse(stderr) }).toEqual({ args, azureFilesLoaded: 0 });
    }
  });

  it("runs with the app's heap limit, which its shebang sets", async () => {
    // Executable, as npm makes a bin it links.
    fs.chmodSync(path.join(REPO, bin), 0o755);
    const result = await run(path.join(REPO, bin), ['validate', 'none.csv', '--verbose'], { cwd: REPO }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(result).toMatchObject({ code: 2 });
    const heap = /^Node v[\d.]+, heap limit (\d+) MB$/m.exec(result.stderr);
    // --max-old-space-size=160 plus the young generation; Node's own default is gigabytes.
    expect(Number(heap?.[1])).toBeGreaterThanOrEqual(160);
    expect(Number(heap?.[1])).toBeLessThan(260);
  });

  it('ends quietly when its reader stops early (`csp-pricing --help | head -1`)', async () => {
    const child = spawn(process.execPath, [bin, '--help'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});
