import fs from 'node:fs';
import path from 'node:path';

let cachedRoot: string | undefined;

/**
 * The project root: the nearest folder above this file that holds package.json. Walking up
 * (rather than counting `..`) gives the same answer from `shared/config` under ts-jest and from
 * `dist/shared/config` in the compiled app, locally and in a deployed function app.
 */
export function projectRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  cachedRoot = dir;
  return dir;
}

/** The bundled SAMPLE price sheets and exchange rates (`sample-data/`): the `sample` sources read them. */
export function sampleDataDir(): string {
  return path.join(projectRoot(), 'sample-data');
}
