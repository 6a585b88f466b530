import { rateSnapshotId } from '../../../shared/rates/snapshots';

describe('rateSnapshotId', () => {
  it('is the as-of day counted down, then the fetch time counted down (the stored format)', () => {
    expect(rateSnapshotId('2024-05-17', '2024-05-17T10:00:00.0000000Z')).toBe('79759482_8284059999999');
  });

  it('sorts the latest day first, then the latest fetch of that day first', () => {
    const ids = [
      rateSnapshotId('2024-05-16', '2024-05-17T09:00:00.0000000Z'),
      rateSnapshotId('2024-05-17', '2024-05-17T08:00:00.0000000Z'),
      rateSnapshotId('2024-05-17', '2024-05-17T09:00:00.0000000Z'),
    ];
    expect([...ids].sort()).toEqual([...ids].reverse());
  });
});
