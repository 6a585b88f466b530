import fs from 'node:fs';
import path from 'node:path';
import { HEAP_FLAGS } from '../../bench/heap';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

describe('the V8 heap limit is the same wherever the app runs', () => {
  const [flag] = HEAP_FLAGS;

  it('is set for npm start, the CLI and the deployed app', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(flag).toMatch(/^--max-old-space-size=\d+$/);
    expect(scripts.start).toContain(`node ${flag} `);
    expect(scripts.cli).toContain(`node ${flag} `);
    expect(read('infra/main.bicep')).toContain(`languageWorkers__node__arguments: '${flag}'`);
  });
});
