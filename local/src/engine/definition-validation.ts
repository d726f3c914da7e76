import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';

/** Definitions already validated in this process: asl-validator takes ~1 s per call (it compiles its schemas). */
const validated = new Set<string>();

/** Validate the definition as written (what AWS gets); the engine runs its rewritten copy unvalidated. */
export function validateOnce(definition: object, cacheDir?: string): void {
  const key = createHash('sha256').update(JSON.stringify(definition)).digest('hex');
  if (validated.has(key)) return;
  const marker = cacheDir ? join(cacheDir, `${key}.valid`) : undefined;
  if (!marker || !existsSync(marker)) {
    new StateMachine(definition as never, { validationOptions: { checkArn: false, checkPaths: true } });
    if (marker) {
      mkdirSync(cacheDir as string, { recursive: true });
      writeFileSync(marker, '');
    }
  }
  validated.add(key);
}
