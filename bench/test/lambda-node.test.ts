import { LAMBDA_RUNTIME } from '@rackops/infra/constructs/handler-function';
import { describe, expect, it } from 'vitest';
import { LAMBDA_NODE_VERSION } from '../src/support/lambda-node';

describe('the Node the bundle bench times cold imports with', () => {
  it("is a release of the functions' runtime", () => {
    // A runtime moved to nodejs24.x with the pin left at 22 would time cold starts on the wrong Node.
    expect(LAMBDA_RUNTIME.name).toBe(`nodejs${LAMBDA_NODE_VERSION.split('.')[0]}.x`);
    expect(LAMBDA_NODE_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
