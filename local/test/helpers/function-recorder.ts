/** One call an in-process "Lambda" received. */
export interface Call {
  payload: Record<string, unknown>;
}

/**
 * Stands in for a Lambda a workflow invokes (the device side is what the engine waits on; here the test
 * plays that side). `next()` resolves with the next call, in arrival order.
 */
export class FunctionRecorder {
  readonly calls: Call[] = [];
  private readonly waiting: ((c: Call) => void)[] = [];
  private unread: Call[] = [];
  constructor(private readonly reply: (payload: Record<string, unknown>) => unknown = () => ({})) {}

  readonly fn = async (payload: unknown): Promise<unknown> => {
    const call = { payload: payload as Record<string, unknown> };
    this.calls.push(call);
    const w = this.waiting.shift();
    if (w) w(call);
    else this.unread.push(call);
    return this.reply(call.payload);
  };

  next(timeoutMs = 5000): Promise<Call> {
    const ready = this.unread.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no call arrived in time')), timeoutMs);
      this.waiting.push((c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
  }

  async nextToken(timeoutMs?: number): Promise<string> {
    const call = await this.next(timeoutMs);
    const token = call.payload.taskToken;
    if (typeof token !== 'string') throw new Error('the call carried no taskToken');
    return token;
  }
}
