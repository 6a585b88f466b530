import type { z } from 'zod';

/** An answer other than 200, with the body every error of the API has: `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badParameter = (parameter: string, message: string, code = 'InvalidParameter') =>
  new ApiError(400, code, `${parameter}: ${message}`, { parameter });

/** A failed query validation, naming the first bad parameter in the message and all of them in details. */
export function fromQueryIssues(issues: readonly z.core.$ZodIssue[]): ApiError {
  const named = issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ parameter: key, message: 'unknown parameter' }));
    return [{ parameter: String(issue.path[0] ?? 'query'), message: issue.message }];
  });
  const first = named[0];
  const code = issues[0]?.code === 'unrecognized_keys' ? 'UnknownParameter' : 'InvalidParameter';
  return new ApiError(400, code, `${first.parameter}: ${first.message}`, { parameter: first.parameter, issues: named });
}

/** `lines[0].quantity`: a body path as the caller wrote it (array items by index). */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, part) =>
      typeof part === 'number' ? `${text}[${part}]` : text === '' ? String(part) : `${text}.${String(part)}`,
    '',
  );
}

/** A failed body validation: 400 InvalidBody naming the first bad field in the message and all of them in details. */
export function fromBodyIssues(issues: readonly z.core.$ZodIssue[]): ApiError {
  const named = issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ field: fieldPath([...issue.path, key]), message: 'unknown field' }));
    return [{ field: fieldPath(issue.path) || 'body', message: issue.message }];
  });
  const first = named[0];
  return new ApiError(400, 'InvalidBody', `${first.field}: ${first.message}`, { field: first.field, issues: named });
}
