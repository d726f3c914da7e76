/** Base for every error RackOps raises on purpose; `code` is stable and safe to show an operator. */
export class RackOpsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends RackOpsError {
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super('validation', message);
  }
}

export class NotFoundError extends RackOpsError {
  constructor(what: string, id: string) {
    super('not_found', `${what} ${id} not found`);
  }
}

/** A conditional write lost: somebody else changed the item first. Nothing was written. */
export class ConflictError extends RackOpsError {
  constructor(message: string) {
    super('conflict', message);
  }
}

export class PayloadTooLargeError extends RackOpsError {
  constructor(what: string, bytes: number, limit: number) {
    super('payload_too_large', `${what} is ${bytes} bytes; the limit is ${limit}`);
  }
}
