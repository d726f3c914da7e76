/**
 * Which Node versions RackOps runs on, said in one line at start instead of the AWS SDK's block of text.
 * Lambdas run nodejs22.x; the suite passes on 20 (these machines) and on 22/24.
 */
export const SUPPORTED_NODE = '20.11+, 22, 24';

export function nodeSupportLine(version = process.version): string {
  const major = Number(/^v(\d+)\./.exec(version)?.[1] ?? 0);
  if (major >= 22) return `${version} (supported; Lambdas run Node 22)`;
  if (major === 20)
    return `${version} (runs, but Node 20 is past end of life and AWS SDK releases after January 2027 need Node 22: use Node 22 or 24)`;
  return `${version} (not supported: use Node 22 or 24)`;
}

/** The SDK's own notice says the same as `nodeSupportLine`, in ten lines, on every start. */
export function silenceSdkNodeNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
