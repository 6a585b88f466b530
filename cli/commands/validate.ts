import fs from 'node:fs';
import { finished, pipeline } from 'node:stream/promises';
import type { CliCommand } from '../command';
import { FileFault } from '../../shared/files/fault';

/**
 * `validate <file>`: the blob-drop validation on a local file. Writes `<file>.report.csv|jsonl` and
 * `<file>.summary.json` next to it. Exit code 0 when every record is valid, 1 when some are not,
 * 2 when the file cannot be read (or is missing). Records' values are never printed.
 */
export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'customer INN/phone validation of a CSV or JSON Lines file; report and summary written next to it',
  usage: 'validate <file.csv|file.jsonl> [--json]',
  options: {},
  examples: [
    {
      command: 'validate customers.csv',
      says: 'writes customers.csv.report.csv and customers.csv.summary.json; exit code 1 when a record is invalid',
    },
  ],
  async run({ positionals }, { io }) {
    const [file] = positionals;
    const fail = (reason: string) => {
      io.log(`Cannot validate ${file ?? '(no file)'}: ${reason}`, 'error');
      io.summary(`${file ?? ''}: not validated (${reason})`, { ok: false, file, reason });
      return 2;
    };
    if (!file || positionals.length > 1) return fail('give exactly one file');
    // Loaded here: the phone number metadata takes longer to load than --help may.
    const { customerFileFormat, customerReportName, customerSummaryName, validateCustomerRecords } =
      await import('../../shared/customers/batch');
    const format = customerFileFormat(file);
    if (!format) return fail('unsupported file type: expected .csv, .jsonl or .ndjson');
    if (!fs.existsSync(file)) return fail('no such file');

    const reportPath = customerReportName(file, format);
    const progress = io.progress('Validating customers');
    const report = fs.createWriteStream(reportPath);
    let counts;
    try {
      counts = await validateCustomerRecords(fs.createReadStream(file), format, report, {
        onProgress: (records) => progress.update(records, records),
      });
    } catch (e) {
      if (!(e instanceof FileFault)) throw e;
      // Wait until the failed report stream has closed its file, or removing it could race its opening.
      await finished(report).catch(() => undefined);
      fs.rmSync(reportPath, { force: true });
      return fail(`the file cannot be read: ${e.message}`);
    } finally {
      progress.stop();
    }
    const summaryPath = customerSummaryName(file);
    const summary = { file, report: reportPath, ...counts };
    await pipeline([`${JSON.stringify(summary, null, 2)}\n`], fs.createWriteStream(summaryPath));

    const codes = Object.entries(counts.errors)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
    io.log(`Report: ${reportPath}\nSummary: ${summaryPath}`);
    io.summary(
      `${counts.records} records: ${counts.valid} valid, ${counts.invalid} invalid${codes ? ` (${codes})` : ''}`,
      { ok: counts.invalid === 0, summary: summaryPath, ...summary },
    );
    return counts.invalid === 0 ? 0 : 1;
  },
};
