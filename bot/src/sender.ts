import type { Activity, TurnContext } from 'botbuilder';

/** Where a handler's messages go: the current turn, or a stored conversation through the gateway. */
export interface Sender {
  conversationId: string;
  send(activity: Partial<Activity>): Promise<string | undefined>;
  update(activityId: string, activity: Partial<Activity>): Promise<void>;
}

export function turnSender(ctx: TurnContext): Sender {
  return {
    conversationId: ctx.activity.conversation.id,
    async send(activity) {
      return (await ctx.sendActivity(activity))?.id;
    },
    async update(activityId, activity) {
      await ctx.updateActivity({ ...activity, id: activityId });
    },
  };
}
