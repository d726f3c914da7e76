import { RackOpsError } from '@rackops/core/util/errors';
import { ZfsResumeToken } from './resume-token';
import { RemoteCommandError } from './ssh-link';
import type { ZfsSession } from './zfs-appliance';
import { readProp } from './zfs-props';
import { pipeSendReceive } from './zfs-transfer';

/**
 * The target's resume token for `dataset`, or undefined when it has none (`-`) or the dataset is absent. A
 * value that is not a token is refused before anything is sent: it goes into an argv on the source.
 */
export async function readResumeToken(
  target: ZfsSession,
  appliance: string,
  dataset: string,
): Promise<string | undefined> {
  const raw = await readProp(target, dataset, 'receive_resume_token');
  if (raw === undefined || raw === '-' || raw === '') return undefined;
  const token = ZfsResumeToken.safeParse(raw);
  if (!token.success)
    throw new RackOpsError(
      'device_response_invalid',
      `${appliance} reports a receive_resume_token for ${dataset} that is not a resume token (${JSON.stringify(raw.slice(0, 80))}): refused, nothing was sent; check the appliance, and clear the partial receive there (zfs receive -A ${dataset})`,
    );
  return token.data;
}

/** How a source or target says the token no longer leads anywhere: the partial state is dropped. */
const TOKEN_UNUSABLE = /cannot resume send|resume token|resume stream|partially-complete state/i;

export type ResumeOutcome = { resumedBytes: number } | { aborted: string };

/**
 * An earlier run's receive was cut and the target kept what it had (`receive -s`): the source sends the rest
 * (`send -t`), so nothing already received crosses the link again. A token the source or target refuses
 * (its snapshot pruned meanwhile, a changed stream) is dropped with `receive -A` and the caller restarts the
 * increment. Undefined: nothing was interrupted.
 */
export async function finishInterruptedReceive(input: {
  source: ZfsSession;
  target: ZfsSession;
  targetAppliance: string;
  sourceDataset: string;
  targetDataset: string;
  targetExists: boolean;
  signal?: AbortSignal;
  onBytes?: (total: number) => void;
}): Promise<ResumeOutcome | undefined> {
  const token = await readResumeToken(input.target, input.targetAppliance, input.targetDataset);
  if (token === undefined) return undefined;
  try {
    const resumedBytes = await pipeSendReceive({
      source: input.source,
      target: input.target,
      sourceDataset: input.sourceDataset,
      targetDataset: input.targetDataset,
      to: 'resume',
      resume: { token, targetExists: input.targetExists },
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.onBytes ? { onBytes: input.onBytes } : {}),
    });
    return { resumedBytes };
  } catch (err) {
    if (!(err instanceof RemoteCommandError && TOKEN_UNUSABLE.test(err.stderr))) throw err;
    await input.target
      .run({ verb: 'abort-receive', dataset: input.targetDataset })
      .catch((abort: unknown) => {
        // Dropped already (by the target's own refusal): the state this would clear is gone.
        if (
          !(
            abort instanceof RemoteCommandError &&
            /does not have any resumable receive state/.test(abort.stderr)
          )
        )
          throw abort;
        return '';
      });
    return { aborted: err.stderr.trim().split('\n')[0]?.slice(0, 300) ?? 'resume refused' };
  }
}
