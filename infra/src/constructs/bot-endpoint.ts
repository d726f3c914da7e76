import { Fn } from 'aws-cdk-lib';
import { FunctionUrlAuthType, type IFunction, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface BotEndpointProps {
  /** The bot Lambda (lambdas/src/handlers/bot.handler.ts). */
  readonly botFunction: IFunction;
  /**
   * Path the Bot Framework posts activities to, appended to the function URL in `messagingEndpoint`.
   * @default 'api/messages'
   */
  readonly path?: string;
}

/**
 * The HTTPS endpoint registered as the bot's messaging endpoint in Azure Bot Service. A Lambda Function URL
 * without IAM auth, because the Bot Connector cannot sign AWS requests: every request is authenticated by the
 * handler, which validates the Bot Framework JWT (issuer, audience = our app id, signing keys) before doing
 * anything. An API Gateway in front would add cost and latency but no check the handler does not already do.
 */
export class BotEndpoint extends Construct {
  /** Function URL root, ending with `/`. */
  readonly url: string;
  /** What to enter as "Messaging endpoint" in the Azure Bot resource. */
  readonly messagingEndpoint: string;

  constructor(scope: Construct, id: string, props: BotEndpointProps) {
    super(scope, id);
    const path = props.path ?? 'api/messages';
    if (path.startsWith('/') || /\s/.test(path)) throw new RangeError(`path must be relative: ${path}`);
    const fnUrl = props.botFunction.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
    });
    this.url = fnUrl.url;
    this.messagingEndpoint = Fn.join('', [fnUrl.url, path]);
  }
}
