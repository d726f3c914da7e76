import { describe, expect, it } from 'vitest';
import { localProductionClusters } from '../src/web/local-bot';

describe('production clusters of the local bot (npm start)', () => {
  it('lab-b by default, so a first run shows four-eyes; PRODUCTION_CLUSTERS as in AWS otherwise', () => {
    expect(localProductionClusters({})).toEqual(['lab-b']);
    expect(localProductionClusters({ PRODUCTION_CLUSTERS: '' })).toEqual([]);
    expect(localProductionClusters({ PRODUCTION_CLUSTERS: 'lab-a, vc-lab/domain-c1002' })).toEqual([
      'lab-a',
      'vc-lab/domain-c1002',
    ]);
    expect(localProductionClusters({ PRODUCTION_CLUSTERS: '["lab-a"]' })).toEqual(['lab-a']);
  });
});
