import { randomBytes } from 'node:crypto';

/** What `Ref`/`Fn::GetAtt` name once a resource has a local stand-in. */
export interface LocalResource {
  ref: string;
  atts?: Record<string, string>;
}

export const LOCAL_PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'local',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

interface Template {
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
}

/**
 * CloudFormation intrinsics resolved against local stand-ins: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::ImportValue`
 * (from the exporting template's outputs). Anything else is refused, so a template using a new intrinsic fails
 * the test instead of deploying a value nobody checked.
 */
export function resolver(
  resources: Record<string, LocalResource>,
  imports: Record<string, string> = {},
): (value: unknown) => string {
  const resolve = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.Ref === 'string') {
        const r = LOCAL_PSEUDO[o.Ref] ?? resources[o.Ref]?.ref;
        if (r === undefined) throw new Error(`Ref ${o.Ref}: no local stand-in`);
        return r;
      }
      if (Array.isArray(o['Fn::GetAtt'])) {
        const [id, att] = o['Fn::GetAtt'] as [string, string];
        const r = resources[id]?.atts?.[att];
        if (r === undefined) throw new Error(`Fn::GetAtt ${id}.${att}: no local stand-in`);
        return r;
      }
      if (Array.isArray(o['Fn::Join'])) {
        const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
        return parts.map(resolve).join(sep);
      }
      if (o['Fn::ImportValue'] !== undefined) {
        const name = resolve(o['Fn::ImportValue']);
        const r = imports[name];
        if (r === undefined) throw new Error(`Fn::ImportValue ${name}: not exported`);
        return r;
      }
    }
    throw new Error(`unsupported intrinsic ${JSON.stringify(v).slice(0, 200)}`);
  };
  return resolve;
}

/** The exports of a template, resolved. */
export function exportsOf(t: Template, resolve: (v: unknown) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of Object.values(t.Outputs ?? {})) if (o.Export) out[o.Export.Name] = resolve(o.Value);
  return out;
}

export const arnFor = (service: string, resource: string) =>
  `arn:aws:${service}:local:000000000000:${resource}`;

/** A Secrets Manager ARN as AWS shapes it (name + 6 random characters). */
export const secretArnFor = (name: string) =>
  arnFor('secretsmanager', `secret:${name}-${randomBytes(3).toString('hex')}`);
