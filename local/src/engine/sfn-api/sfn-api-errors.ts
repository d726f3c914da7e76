/**
 * An error as the Step Functions API returns it: HTTP 400 (unless said otherwise) and a JSON body
 * `{"__type":"<namespace>#<Code>","message":…}`. The SDK strips the namespace and raises its typed exception
 * of that name (ExecutionDoesNotExist, TaskDoesNotExist…), or SFNServiceException for codes it does not model.
 */
export class SfnApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** Codes the engine raises under their AWS names (EngineApiError.name), passed through as they are. */
const ENGINE_CODES = new Set([
  'ExecutionDoesNotExist',
  'ExecutionAlreadyExists',
  'StateMachineDoesNotExist',
  'TaskDoesNotExist',
  'TaskTimedOut',
  'InvalidToken',
]);

/** The service's own errors live in this namespace; protocol-level ones (unknown operation) in coral's. */
const STATES_NAMESPACE = 'com.amazonaws.states';
const CORAL_NAMESPACE = 'com.amazon.coral.service';
const CORAL_CODES = new Set(['UnknownOperationException', 'SerializationException']);

export function toApiError(err: unknown): SfnApiError {
  if (err instanceof SfnApiError) return err;
  if (err instanceof Error && ENGINE_CODES.has(err.name)) return new SfnApiError(err.name, err.message);
  if (err instanceof Error && err.name === 'ServiceUnavailable') {
    return new SfnApiError('ServiceUnavailable', err.message, 503);
  }
  return new SfnApiError('InternalFailure', 'internal error in the local Step Functions API', 500);
}

export function errorBody(err: SfnApiError): { __type: string; message: string } {
  const ns = CORAL_CODES.has(err.code) ? CORAL_NAMESPACE : STATES_NAMESPACE;
  return { __type: `${ns}#${err.code}`, message: err.message };
}
