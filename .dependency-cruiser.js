/**
 * Dependencies point one way: functions/, runtime/, cli/, bench/ → shared/ features → shared infrastructure.
 * `npm test` runs this check; a violation fails the test run.
 * (Interim rules after the move to the feature layout; tightened in the commits that follow.)
 */
const PURE =
  '^shared/(core/|customers/rules/|prices/(row|version|records|digestMap|licenseFigures)\\.ts|rates/rate\\.ts|' +
  'formats/ratesFile\\.ts|observability/privacy\\.ts|files/fault\\.ts)';
module.exports = {
  forbidden: [
    {
      name: 'shared-is-free-of-trigger-plumbing',
      comment: 'shared/ holds the product; it must not know about functions, the runner or the CLI.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: ['^functions/', '^runtime/', '^cli/', '^bench/', 'node_modules/@azure/functions/'] },
    },
    {
      name: 'pure-rules-do-no-io',
      comment: 'Rules and models: no I/O adapters, no Azure SDK.',
      severity: 'error',
      from: { path: PURE },
      to: {
        path: [
          // files/fault.ts is an error class, not I/O: rules may throw it.
          '^shared/(storage|http|runs|uploads|api)/',
          '^shared/files/(?!fault\\.ts$)',
          '^shared/[a-z]+/(sources|tables|endpoints)/',
          'node_modules/@azure/',
        ],
      },
    },
    {
      name: 'functions-are-independent',
      comment: 'One file per function: functions do not import each other.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^functions/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|node_modules)/' },
  },
};
