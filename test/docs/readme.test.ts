import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** The picture at the top of .dependency-cruiser.js, without the comment markers. */
function rulesPicture(): string {
  const config = read('.dependency-cruiser.js');
  const body = /\/\*\*\n([\s\S]*?)\n \*\//.exec(config)?.[1] ?? '';
  return body
    .split('\n')
    .map((line) => line.replace(/^ \* ?/, ''))
    .join('\n');
}

describe('README', () => {
  it("shows the dependency rules' own picture, so the two cannot drift apart", () => {
    const picture = rulesPicture();
    expect(picture).toContain('features');
    expect(read('README.md')).toContain(`\`\`\`\n${picture}\n\`\`\``);
  });

  it('stays a front door of at most about 250 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(260);
  });

  it('links only to documents that exist', () => {
    const readme = read('README.md');
    for (const [, target] of readme.matchAll(/\]\(((?:docs\/)?[\w.-]+\.md)(?:#[\w-]*)?\)/g)) {
      expect({ target, exists: fs.existsSync(path.join(root, target)) }).toEqual({ target, exists: true });
    }
  });
});
