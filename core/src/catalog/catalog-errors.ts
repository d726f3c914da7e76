import { RackOpsError } from '../util/errors';

/** The catalog could not be read as a Dell catalog at all (not XML, truncated, no Manifest). */
export class CatalogParseError extends RackOpsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('catalog_invalid', message, options);
  }
}
