import { describe, expect, it } from 'vitest';
import { nodeSupportLine } from '../src/node-support';

describe('the Node version line npm start prints', () => {
  it.each([
    ['v24.11.0', /supported; Lambdas run Node 22/],
    ['v22.3.0', /supported/],
    ['v20.20.2', /past end of life.*use Node 22 or 24/],
    ['v18.19.0', /not supported/],
    ['garbage', /not supported/],
  ])('%s', (version, says) => {
    const line = nodeSupportLine(version);
    expect(line).toMatch(says);
    expect(line.split('\n')).toHaveLength(1);
  });
});
