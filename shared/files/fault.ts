/**
 * The input file itself is at fault: the same bytes can never succeed, so trying again is pointless.
 * The one rule of every path that takes a file (price and rate uploads, customer uploads, the CLI):
 *  - a FileFault refuses the file: an upload is moved to quarantine with the message as its reason and
 *    is never retried; the CLI exits with code 2;
 *  - anything else (storage, network, a lock held too long, a bug) is not the file's fault: an upload's
 *    invocation fails so that the event is delivered again; the CLI exits with code 1.
 * It covers files that cannot be read (bad archive, broken quoting, no header), files readable but not
 * acceptable (no valid rows, too many rejected rows), files whose kind or list cannot be told, and
 * labels that contradict the file. The message is the reason shown to the uploader and logged: it names
 * the file's faults (columns, line numbers, labels), never its content, which may hold personal data.
 */
export class FileFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileFault';
  }
}
