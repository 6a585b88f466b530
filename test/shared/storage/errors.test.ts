import { ensureStorage } from '../../../shared/storage/ensure';
import { ifFound, isNotFound, statusOf } from '../../../shared/storage/errors';
import { testStorage } from '../../helpers/storage';

const failure = (statusCode: number) => Object.assign(new Error(`HTTP ${statusCode}`), { statusCode });

describe('storage errors', () => {
  it('reads the status of an SDK error, and only a number', () => {
    expect(statusOf(failure(412))).toBe(412);
    expect(statusOf(Object.assign(new Error('odd'), { statusCode: '404' }))).toBeUndefined();
    expect(statusOf(new Error('no status'))).toBeUndefined();
    expect(statusOf(null)).toBeUndefined();
  });

  it('tells not-found from other failures', () => {
    expect(isNotFound(failure(404))).toBe(true);
    expect(isNotFound(failure(409))).toBe(false);
    expect(isNotFound(new Error('connection reset'))).toBe(false);
  });

  it('answers null for what is not there, the value when it is, and throws anything else', async () => {
    await expect(ifFound(Promise.reject(failure(404)))).resolves.toBeNull();
    await expect(ifFound(Promise.resolve('there'))).resolves.toBe('there');
    await expect(ifFound(Promise.reject(failure(403)))).rejects.toThrow('HTTP 403');
  });

  describe('against the storage emulator', () => {
    const { storage } = testStorage();
    beforeAll(() => ensureStorage(storage));

    it('sees a missing entity and a missing blob as not found', async () => {
      const table = storage.table(storage.names.tables.runs);
      await expect(ifFound(table.getEntity('nowhere', 'nothing'))).resolves.toBeNull();
      const blob = storage.blobs.getContainerClient(storage.names.containers.reports).getBlobClient('missing.json');
      await expect(ifFound(blob.getProperties())).resolves.toBeNull();
    });

    it('passes through what is there', async () => {
      const table = storage.table(storage.names.tables.runs);
      await table.upsertEntity({ partitionKey: 'here', rowKey: 'it', note: 'found' });
      expect((await ifFound(table.getEntity('here', 'it')))?.note).toBe('found');
    });
  });
});
