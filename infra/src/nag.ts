import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The plugin namespace cdk-nag 3 reports under (its own hint: "Acknowledge with 'AwsSolutions::…'"). */
const NAMESPACE = 'AwsSolutions::';

/**
 * Acknowledge one cdk-nag AwsSolutions finding on a construct (and its children). `finding` is the rule id,
 * with the finding in brackets for rules that report several (`AwsSolutions-IAM5[Resource::*]`), so a new
 * wildcard is never acknowledged by accident. The reason says why this is acceptable *here*.
 */
export function acknowledgeNag(scope: IConstruct, finding: string, reason: string): void {
  if (!/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/.test(finding))
    throw new RangeError(`not a finding id: ${finding}`);
  if (finding.startsWith('AwsSolutions-IAM5') && !finding.includes('[')) {
    throw new RangeError('acknowledge IAM5 per finding (AwsSolutions-IAM5[Resource::…]), not the whole rule');
  }
  Validations.of(scope).acknowledge({ id: `${NAMESPACE}${finding}`, reason });
}
