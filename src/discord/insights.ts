/**
 * The moderators' insights reply: that server's insights (and never another's: the server is the
 * interaction's own, checked by Discord), ephemeral, with the full lists attached as a CSV when
 * some list is longer than the message shows. Needs Manage Server, checked on every use.
 * Provisionally the command `/insights`; meant to become `/collection insights`.
 */
import { AttachmentBuilder, PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import { INSIGHT_DAYS, insightsCsv, readInsights } from '../feedback/insights.js';
import { renderInsights } from '../message/insights.js';
import { deferFirst, send } from './respond.js';
import type { BotContext, HandlerResult } from './types.js';
import type { CollectionSubcommand } from './collection.js';
import { toDiscordPayload } from './payload.js';
import { renderNotice } from '../message/rendered.js';

export async function replyInsights(
  i: ChatInputCommandInteraction,
  ctx: BotContext,
  requestedDays: number | null,
): Promise<HandlerResult> {
  if (!i.inGuild() || !i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    await send(
      i,
      renderNotice('Only members with the **Manage Server** permission can see insights, in their server.'),
    );
    return { outcome: 'insights_denied' };
  }
  const days = INSIGHT_DAYS.find((d) => d === requestedDays) ?? INSIGHT_DAYS[0];
  await deferFirst(i, true);
  const insights = await readInsights({ questions: ctx.questions, feedback: ctx.feedback }, i.guildId, days);
  const { rendered, more } = renderInsights(insights);
  const files = more
    ? [new AttachmentBuilder(Buffer.from(insightsCsv(insights), 'utf8'), { name: `insights-${days}d.csv` })]
    : [];
  await i.editReply({ ...toDiscordPayload(rendered), files });
  ctx.log.info('insights', { guild: i.guildId, by: i.user.id, days, asked: insights.asked, csv: more });
  return { outcome: more ? 'insights_csv' : 'insights' };
}

/** `/collection insights [days]`: this server's questions, what went unanswered, 👎 and the most-cited documents. */
export const INSIGHTS: CollectionSubcommand = {
  name: 'insights',
  withoutCollections: true,
  build: (s) =>
    s
      .setDescription('What members asked here lately, and what the documents did not answer.')
      .addIntegerOption((o) =>
        o
          .setName('days')
          .setDescription('How far back (default 7 days)')
          .addChoices({ name: 'last 7 days', value: 7 }, { name: 'last 30 days', value: 30 }),
      ),
  execute: ({ i, ctx }) => replyInsights(i, ctx, i.options.getInteger('days')),
};
