import { main } from '../../cli/main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** What a piece of work writes to stdout and stderr while it runs, as an operator's terminal would show it. */
export async function captured<T>(work: () => Promise<T>): Promise<{ result: T; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { result: await work(), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** A command's exit code and output. */
export async function captureOutput(call: () => Promise<number>): Promise<CliRun> {
  const { result, stdout, stderr } = await captured(call);
  return { code: result, stdout, stderr };
}

/** `npm run cli -- <args>` in this process. */
export function runCli(args: string[]): Promise<CliRun> {
  return captureOutput(() => main(args));
}

/** The `--json` summary: the last line of stdout. */
export function jsonSummary(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
}
