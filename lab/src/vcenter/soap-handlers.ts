import type { SoapAnswer, SoapCall } from './soap-service';
import type { VcSession } from './sessions';
import { toBuilder } from './soap/envelope';
import type { Vim } from './soap/vim-value';
import type { XNode } from './soap/xml-tree';

/** A vim method written against the method element and the caller's user name, answering a plain Vim value. */
export type PlainMethod = (method: XNode, user: string) => Promise<{ returnval?: Vim }> | { returnval?: Vim };

/** Plain methods as the service's handlers: the session gives the user, the answer is encoded for the envelope. */
export function asSoapHandlers(
  methods: Record<string, PlainMethod>,
): Record<string, (call: SoapCall, session: VcSession) => Promise<SoapAnswer>> {
  return Object.fromEntries(
    Object.entries(methods).map(([name, run]) => [
      name,
      async (call: SoapCall, session: VcSession): Promise<SoapAnswer> => {
        const answer = await run(call.method, session.userName);
        return answer.returnval ? { returnval: toBuilder(answer.returnval, false) } : {};
      },
    ]),
  );
}
