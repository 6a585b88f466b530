import type { z } from 'zod';
import type { ProblemCode } from './problem';

/**
 * An answer other than 2xx: its status, problem type (`code`), `detail` (the message) and the
 * problem's extension members (`parameter`, `issues`, …), written as RFC 9457 problem details.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badParameter = (parameter: string, message: string, code: ProblemCode = 'InvalidParameter') =>
  new ApiError(400, code, `${parameter}: ${message}`, { parameter });

/** A failed query validation, naming the first bad parameter in the message and all of them in `issues`. */
export function fromQueryIssues(issues: readonly z.core.$ZodIssue[]): ApiError {
  const named = issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ parameter: key, detail: 'unknown parameter' }));
    return [{ parameter: String(issue.path[0] ?? 'query'), detail: issue.message }];
  });
  const first = named[0];
  const code = issues[0]?.code === 'unrecognized_keys' ? 'UnknownParameter' : 'InvalidParameter';
  return new ApiError(400, code, `${first.parameter}: ${first.detail}`, { parameter: first.parameter, issues: named });
}

/** `lines[0].quantity`: a body path as the caller wrote it (array items by index). */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, part) =>
      typeof part === 'number' ? `${text}[${part}]` : text === '' ? String(part) : `${text}.${String(part)}`,
    '',
  );
}

/** A failed body validation: 400 InvalidBody naming the first bad field in the message and `field`, all of them in `issues`. */
export function fromBodyIssues(issues: readonly z.core.$ZodIssue[]): ApiError {
  const named = issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ field: fieldPath([...issue.path, key]), detail: 'unknown field' }));
    return [{ field: fieldPath(issue.path) || 'body', detail: issue.message }];
  });
  const first = named[0];
  return new ApiError(400, 'InvalidBody', `${first.field}: ${first.detail}`, { field: first.field, issues: named });
}
