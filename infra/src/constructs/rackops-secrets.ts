import { RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';

export interface RackOpsSecretsProps {
  /** Customer-managed key encrypting both secrets. */
  readonly encryptionKey: IKey;
  /** Prefix of the secret names (`<prefix>/bot-credentials`, `<prefix>/relay-signing-key`). */
  readonly namePrefix: string;
}

/**
 * The two secrets RackOps needs in the cloud. Datacenter credentials are NOT here: they live only on-prem, in
 * the relay agent's config (DESIGN §1).
 */
export class RackOpsSecrets extends Construct {
  /** `{ "appId", "appPassword", "tenantId" }` of the Bot Framework app; filled in by the operator after deploy. */
  readonly botCredentials: ISecret;
  /** The HMAC key both the cloud (dispatch) and the relay agent sign and verify command envelopes with. */
  readonly relaySigningKey: ISecret;
  /** The bot's HMAC key for Adaptive Card data (a card whose data does not verify is refused). */
  readonly botCardSecret: ISecret;

  constructor(scope: Construct, id: string, props: RackOpsSecretsProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]*$/.test(props.namePrefix))
      throw new RangeError(`bad namePrefix: ${props.namePrefix}`);

    this.botCredentials = new Secret(this, 'BotCredentials', {
      secretName: `${props.namePrefix}/bot-credentials`,
      description: 'Bot Framework app credentials: {"appId","appPassword","tenantId"}. Set after deploy.',
      encryptionKey: props.encryptionKey,
      generateSecretString: {
        // A placeholder shape; the real password comes from the Entra app registration.
        secretStringTemplate: JSON.stringify({ appId: '', tenantId: '' }),
        generateStringKey: 'appPassword',
        passwordLength: 40,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(
      this.botCredentials,
      'AwsSolutions-SMG4',
      'The bot password is issued and rotated in Microsoft Entra ID, not by AWS; a Secrets Manager rotation ' +
        'Lambda cannot create a new client secret there. Rotation is a documented operator procedure (README).',
    );

    this.relaySigningKey = new Secret(this, 'RelaySigningKey', {
      secretName: `${props.namePrefix}/relay-signing-key`,
      description: 'HMAC-SHA256 key signing relay command envelopes; copy it into the relay agent config.',
      encryptionKey: props.encryptionKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(
      this.relaySigningKey,
      'AwsSolutions-SMG4',
      'The relay signing key is shared with the on-prem agent, which reads it from its local config; an ' +
        'automatic rotation would make the agent reject every command until someone copies the new key. ' +
        'It is rotated by the documented manual procedure (README, relay-agent/README.md).',
    );

    this.botCardSecret = new Secret(this, 'BotCardSecret', {
      secretName: `${props.namePrefix}/bot-card-secret`,
      description: 'HMAC key the bot signs Adaptive Card data with (bot config cardSecret).',
      encryptionKey: props.encryptionKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(
      this.botCardSecret,
      'AwsSolutions-SMG4',
      'The card key signs data inside cards already posted in Teams; an unattended rotation would make every ' +
        'open card (approvals, blocker wizards) fail verification. Rotated by the documented manual procedure.',
    );
  }
}
