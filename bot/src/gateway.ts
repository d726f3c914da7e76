import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';

/**
 * Sends and updates messages outside a turn (proactive): progress card updates, notifications. In AWS and
 * locally this is the CloudAdapter (Bot Connector REST: send, update via PUT); tests use the harness's recorder.
 */
export interface ConversationGateway {
  send(ref: Partial<ConversationReference>, activity: Partial<Activity>): Promise<string | undefined>;
  update(ref: Partial<ConversationReference>, activityId: string, activity: Partial<Activity>): Promise<void>;
}

export function cloudAdapterGateway(adapter: CloudAdapter, appId: string): ConversationGateway {
  return {
    async send(ref, activity) {
      let id: string | undefined;
      await adapter.continueConversationAsync(appId, ref, async (ctx) => {
        id = (await ctx.sendActivity(activity))?.id;
      });
      return id;
    },
    async update(ref, activityId, activity) {
      await adapter.continueConversationAsync(appId, ref, async (ctx) => {
        // The continuation's activity is made up (a fresh id each time), and updateActivity names it as the one
        // the message replies to. An update does not change what a message replies to: send none. Web Chat holds
        // an activity that replies to one it has never seen for 5 s, so every live card update came 5 s late.
        ctx.onUpdateActivity(async (_ctx, a, next) => {
          delete a.replyToId;
          return next();
        });
        await ctx.updateActivity({ ...activity, id: activityId });
      });
    },
  };
}
