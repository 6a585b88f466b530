import type * as RestPipeline from '@azure/core-rest-pipeline';

/**
 * `@azure/core-rest-pipeline`, loaded when the first upstream request is made rather than when a
 * function module imports this folder: with its HTTP agents and TLS it is a measurable part of every
 * function's cold start (docs/design.md: cold start), and most invocations never call upstream.
 */
export function restPipeline(): typeof RestPipeline {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a require inside a function is what defers the load
  return require('@azure/core-rest-pipeline') as typeof RestPipeline;
}
