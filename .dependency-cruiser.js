/**
 * Allowed import directions ("──►": may import); `npm test` runs this check and a violation fails the run.
 *
 *   entry points    bench/ ──► cli/ ──► runtime/ ◄── functions/        and bench/ ──► runtime/;
 *                   nothing imports functions/ (nor one function another); from outside,
 *                   nothing imports bench/ and only bench/ imports cli/
 *                          │ each of them ──► any module of shared/
 *                          ▼
 *   features        shared/{prices,rates,customers,uploads,quotes,notifications,assistant}/
 *                          one feature ──► another only through its shared/<feature>/index.ts
 *                          │
 *                          ▼
 *   infrastructure  shared/{api,config,core,files,formats,http,observability,runs,storage}/ (──► each other)
 *                          ──► no feature, except: formats/, config/ and api/schemas.ts ──► the pure
 *                          models prices/{row,views}.ts and rates/rate.ts
 *
 *   pure            shared/core/, shared/customers/rules/, shared/observability/privacy.ts,
 *                   shared/prices/{row,version,listing,views,licenseFigures,digestMap}.ts, shared/rates/rate.ts
 *                   shared/quotes/{precedence,tiers,customerPrice,terms}.ts
 *                          ──► only each other, npm packages but @azure/*, Node modules but I/O ones
 *                              (fs, net, http, https, child_process, …)
 *
 *   shared/ ──► no entry point, not @azure/functions. Every shared module sits in a folder named
 *   above. No import cycles anywhere. functions/ and all they import (what the host loads) ──► no
 *   devDependency: the MCP SDK and Azurite serve the local runner and the tests.
 */

const FEATURE_FOLDERS = 'prices|rates|customers|uploads|quotes|notifications|assistant';
const INFRASTRUCTURE_FOLDERS = 'api|config|core|files|formats|http|observability|runs|storage';
const FEATURES = `^shared/(${FEATURE_FOLDERS})/`;
const FEATURE_INDEX = `^shared/(${FEATURE_FOLDERS})/index\\.ts$`;
const INFRASTRUCTURE = `^shared/(${INFRASTRUCTURE_FOLDERS})/`;
const KNOWN_FOLDERS = `^shared/(${FEATURE_FOLDERS}|${INFRASTRUCTURE_FOLDERS})/`;
/** The features' pure model files: what parsers, settings and API schemas are about. */
const MODELS = '^shared/(prices/(row|views)|rates/rate)\\.ts$';
const PURE = [
  '^shared/core/',
  '^shared/customers/rules/',
  '^shared/observability/privacy\\.ts$',
  '^shared/prices/(row|version|listing|views|licenseFigures|digestMap)\\.ts$',
  '^shared/rates/rate\\.ts$',
  '^shared/quotes/(precedence|tiers|customerPrice|terms)\\.ts$',
];
/** Packages installed for development only: the Functions host never has to load them. */
const DEV_PACKAGES = `node_modules/(${Object.keys(require('./package.json').devDependencies).join('|')})/`;
/** Node modules that reach files, the network or other processes. */
const NODE_IO = '^(fs|fs/promises|net|http|https|http2|tls|dgram|dns|child_process|cluster|worker_threads)$';

module.exports = {
  forbidden: [
    {
      name: 'shared-folders-are-known',
      comment: 'Every shared module sits in a feature or infrastructure folder that these rules cover.',
      severity: 'error',
      from: { path: '^shared/', pathNot: KNOWN_FOLDERS },
      to: {},
    },
    {
      name: 'only-known-shared-folders-are-imported',
      comment: 'Every shared module sits in a feature or infrastructure folder that these rules cover.',
      severity: 'error',
      from: {},
      to: { path: '^shared/', pathNot: KNOWN_FOLDERS },
    },
    {
      name: 'shared-is-free-of-trigger-plumbing',
      comment: 'shared/ holds the product; it must not know about functions, the runner, the CLI or benchmarks.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: ['^functions/', '^runtime/', '^cli/', '^bench/', 'node_modules/@azure/functions/'] },
    },
    {
      name: 'nothing-imports-functions',
      comment: 'One file per function, registered when the host (or runtime/localRunner) loads it.',
      severity: 'error',
      from: {},
      to: { path: '^functions/' },
    },
    {
      name: 'only-bench-imports-cli',
      comment: 'The CLI is an entry point; the benchmark drives it as an operator would.',
      severity: 'error',
      from: { pathNot: '^(cli|bench)/' },
      to: { path: '^cli/' },
    },
    {
      name: 'nothing-imports-bench',
      comment: 'Benchmarks are an entry point of their own.',
      severity: 'error',
      from: { pathNot: '^bench/' },
      to: { path: '^bench/' },
    },
    {
      name: 'features-meet-through-their-index',
      comment: 'A feature uses another only through shared/<feature>/index.ts, its public surface.',
      severity: 'error',
      from: { path: FEATURES },
      to: { path: FEATURES, pathNot: ['^shared/$1/', FEATURE_INDEX] },
    },
    {
      name: 'infrastructure-imports-no-feature',
      comment: 'Infrastructure serves the features; it knows at most their pure models.',
      severity: 'error',
      from: { path: INFRASTRUCTURE },
      to: { path: FEATURES, pathNot: MODELS },
    },
    {
      name: 'only-parsers-settings-and-api-schemas-know-models',
      comment: 'formats/ parses into the models, config/ validates views with them, api/schemas.ts describes them.',
      severity: 'error',
      from: {
        path: INFRASTRUCTURE,
        pathNot: ['^shared/(formats|config)/', '^shared/api/schemas\\.ts$'],
      },
      to: { path: MODELS },
    },
    {
      name: 'pure-imports-only-pure',
      comment: 'Rules and models: testable without storage, network or files.',
      severity: 'error',
      from: { path: PURE },
      to: { path: '^shared/', pathNot: PURE },
    },
    {
      name: 'pure-does-no-io',
      comment: 'Rules and models: no Node I/O modules, no Azure SDK.',
      severity: 'error',
      from: { path: PURE },
      to: { path: [NODE_IO, 'node_modules/@azure/'] },
    },
    {
      name: 'functions-load-no-dev-dependency',
      comment:
        'What the host loads (functions/ and all they import) needs only dependencies; devDependencies such as ' +
        'the MCP SDK serve the local runner and the tests.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: DEV_PACKAGES, reachable: true },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    // Packages such as the MCP SDK publish their modules through package.json `exports` only.
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['require', 'node', 'default'] },
    // node_modules stay in the graph (not followed) so that the rules about packages see them.
    exclude: { path: '^dist/' },
  },
};
