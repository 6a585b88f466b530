/**
 * The V8 heap limit the app runs ingests with (package.json `start`/`cli` scripts, and
 * `languageWorkers__node__arguments` in infra/). Without a limit V8 lets the heap grow lazily to
 * several hundred MB during a large ingest although the live data stays under ~60 MB (measured:
 * 200,000 rows peak at 270 MB RSS unlimited, 183 MB with this limit, at the same speed). The
 * benchmark children run with it so that they measure what is deployed.
 */
export const HEAP_FLAGS = ['--max-old-space-size=160'];
