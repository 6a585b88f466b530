#!/usr/bin/env node
// npm run infra:build — compiles infra/main.bicep (and with it every module) when a Bicep compiler is available:
// the `bicep` binary or the Azure CLI's `az bicep`. Without one it says so and exits 0: the static checks in
// test/infra (npx jest test/infra) run everywhere.
'use strict';
const { spawnSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = path.join(os.tmpdir(), 'csp-pricing-main.json');
const shell = process.platform === 'win32'; // az is az.cmd on Windows

function available(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'ignore', shell });
  return r.status === 0;
}

function run(cmd, args) {
  console.log(`infra:build: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (available('bicep', ['--version'])) {
  run('bicep', ['build', 'infra/main.bicep', '--outfile', out]);
} else if (available('az', ['bicep', 'version'])) {
  run('az', ['bicep', 'build', '--file', 'infra/main.bicep', '--outfile', out]);
} else {
  console.log("infra:build: no Bicep compiler found (neither 'bicep' nor 'az bicep'); skipped.");
  console.log(
    '  Install one (https://learn.microsoft.com/azure/azure-resource-manager/bicep/install) to compile the templates.',
  );
  console.log('  The static template checks run everywhere: npx jest test/infra');
  process.exit(0);
}
console.log(`infra:build: infra/main.bicep compiled to ${out}`);
