import fs from 'node:fs';
import path from 'node:path';
import { SourceError } from '../../http/sourceErrors';
import type { PriceSheetSource } from './source';

/**
 * `file:<path>`: a price sheet downloaded by hand (Partner Center's pricing workspace gives a zip
 * holding one CSV), served as-is for whatever market and view is asked. A relative path is taken
 * from the working directory.
 */
export function createFileSource(filePath: string): PriceSheetSource {
  const fullPath = path.resolve(filePath);
  return {
    name: `file:${filePath}`,
    // A file downloaded by hand is the list of whatever day it is given.
    history: true,
    async fetchPriceSheet(request) {
      const stat = await fs.promises.stat(fullPath).catch(() => undefined);
      if (!stat?.isFile()) throw new SourceError(`price file ${fullPath} does not exist or is not a file`, request);
      return { body: fs.createReadStream(fullPath), format: 'partnercenter-csv', origin: `file:${fullPath}` };
    },
  };
}
