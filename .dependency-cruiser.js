/**
 * Dependencies point one way:
 *   functions/, runtime/, cli/, bench/  →  shared/pipeline (orchestration)  →  shared/storage, shared/sources,
 *   shared/http (adapters behind the ports in shared/ports)  →  shared/domain (pure rules and models).
 * `npm test` runs this check; a violation fails the test run.
 */
module.exports = {
  forbidden: [
    {
      name: 'shared-is-free-of-trigger-plumbing',
      comment: 'shared/ holds domain and storage code; it must not know about functions, the runner or the CLI.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: ['^functions/', '^runtime/', '^cli/', '^bench/', 'node_modules/@azure/functions/'] },
    },
    {
      name: 'domain-is-pure',
      comment: 'shared/domain holds rules and models: no I/O adapters, no Azure SDK.',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: { path: ['^shared/(storage|sources|http|pipeline|ports|wiring)', 'node_modules/@azure/'] },
    },
    {
      name: 'adapters-do-not-call-pipelines',
      comment: 'Storage and source adapters may use domain types, never the pipelines that use them.',
      severity: 'error',
      from: { path: '^shared/(storage|sources|http)/' },
      to: { path: '^shared/(pipeline|customers)/' },
    },
    {
      name: 'functions-are-independent',
      comment: 'One file per function: functions do not import each other.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^functions/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|node_modules)/' },
  },
};
