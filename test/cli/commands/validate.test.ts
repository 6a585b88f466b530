import { captureOutput } from '../../helpers/cli';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateCommand } from '../../../cli/commands/validate';
import { consoleIO } from '../../../cli/io';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'customers-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the command as `npm run cli -- validate …` would, capturing what it prints. */
function cli(positionals: string[], json = false) {
  return captureOutput(() =>
    validateCommand.run(
      { values: { json }, positionals },
      { io: consoleIO(json), openStorage: () => Promise.reject(new Error('validate must not open storage')) },
    ),
  );
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('npm run cli -- validate', () => {
  it('writes the report and summary next to the file and exits 1 when a record is invalid', async () => {
    const file = write(
      'mixed.csv',
      'id,country,organizationRegistrationNumber,phoneNumber,lastName\n1,RU,7709442668,+79123456789,Smirnova\n2,UA,,0501234567,Kovalenko\n',
    );
    const { code, stdout, stderr } = await cli([file]);
    expect(code).toBe(1);
    expect(stdout).toBe('2 records: 1 valid, 1 invalid (INN_REQUIRED 1)\n');
    expect(stderr).toContain('mixed.csv.report.csv');
    const report = fs.readFileSync(`${file}.report.csv`, 'utf8').trim().split('\n');
    expect(report.map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['record,id,valid', '1,1,true', '2,2,false']);
    expect(JSON.parse(fs.readFileSync(`${file}.summary.json`, 'utf8'))).toMatchObject({
      records: 2,
      valid: 1,
      errors: { INN_REQUIRED: 1 },
      partnerCenterCodes: { '600049': 1 },
    });
    for (const value of ['7709442668', '9123456789', '0501234567', 'Smirnova', 'Kovalenko'])
      expect(stdout + stderr).not.toContain(value);
  });

  it('prints the summary as JSON with --json and exits 0 when every record is valid', async () => {
    const file = write(
      'ok.jsonl',
      '{"country":"BY","organizationRegistrationNumber":"200988541","phoneNumber":"8 029 491 19 11"}\n',
    );
    const { code, stdout } = await cli([file], true);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({
      ok: true,
      records: 1,
      valid: 1,
      report: `${file}.report.jsonl`,
    });
    expect(JSON.parse(fs.readFileSync(`${file}.report.jsonl`, 'utf8'))).toMatchObject({
      valid: true,
      normalized: { phoneNumber: '+375294911911' },
    });
  });

  it('re-running gives the same report', async () => {
    const file = write(
      'twice.csv',
      'country,organizationRegistrationNumber,phoneNumber\nKZ,940140000385,+77710009998\nKZ,940140000386,+79123456789\n',
    );
    await cli([file]);
    const first = fs.readFileSync(`${file}.report.csv`, 'utf8');
    await cli([file]);
    expect(fs.readFileSync(`${file}.report.csv`, 'utf8')).toBe(first);
    expect(
      fs
        .readdirSync(dir)
        .filter((n) => n.startsWith('twice.csv'))
        .sort(),
    ).toEqual(['twice.csv', 'twice.csv.report.csv', 'twice.csv.summary.json']);
  });

  it('exits 2 for a file that cannot be read, leaves no report and quotes none of its content', async () => {
    const file = write('broken.csv', 'country,organizationRegistrationNumber\nRU,"7709442668\n');
    const { code, stdout, stderr } = await cli([file], true);
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, reason: expect.stringContaining('CSV_QUOTE_NOT_CLOSED') });
    expect(fs.existsSync(`${file}.report.csv`)).toBe(false);
    expect(stdout + stderr).not.toContain('7709442668');
  });

  it.each([
    ['a stray quote next to an INN', 'country,organizationRegistrationNumber\nRU,7709"442668\n', /line 2, column 2/],
    ['10 MB of a million columns', `country${','.repeat(1_000_000)}\n`.repeat(10), /more than 1000 columns/],
  ])('exits 2 for %s, quoting none of its content', async (_what, content, reason) => {
    const file = write('bounded.csv', content);
    const { code, stdout, stderr } = await cli([file], true);
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, reason: expect.stringMatching(reason) as string });
    expect(stdout + stderr).not.toContain('7709');
  });

  it.each([[[]], [['missing.csv']], [['notes.txt']]])('exits 2 for %j', async (args) => {
    const { code } = await cli(args.map((a) => path.join(dir, a)));
    expect(code).toBe(2);
  });
});
