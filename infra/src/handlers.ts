import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAMBDA_FUNCTIONS, type LambdaFunctionSpec } from '@rackops/lambdas/composition/functions';

/** A deployable Lambda: its entry in the list (lambdas/src/composition/functions.ts), with the file to bundle. */
export interface HandlerSource extends LambdaFunctionSpec {
  /** Absolute path of the file esbuild bundles. */
  readonly entry: string;
  /** The export Lambda calls: every entry's default export (a lazy `lambdaEntry`). */
  readonly exportName: 'default';
}

/** The repository root (infra/src/handlers.ts -> ../..). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** The Lambdas infra deploys: exactly the explicit list, entries resolved against the repository root. */
export function lambdaFunctions(): HandlerSource[] {
  return LAMBDA_FUNCTIONS.map((spec) => ({
    ...spec,
    entry: join(REPO_ROOT, spec.entry),
    exportName: 'default',
  }));
}
