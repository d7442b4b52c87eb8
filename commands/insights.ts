/**
 * /insights [days:7|30] — moderators (Manage Server), in a server, only visible to them: what the
 * server's members asked, what was answered or refused, the unanswered questions most asked, the
 * answers with most 👎 and the most-cited documents. Provisional: to be folded into `/collection insights`.
 */
import {
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { replyInsights } from '../src/discord/insights.js';
import type { BotContext, HandlerResult } from '../src/discord/types.js';

export const data = new SlashCommandBuilder()
  .setName('insights')
  .setDescription('Moderators: what members asked lately, and what the documents did not answer.')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild)
  .addIntegerOption((o) =>
    o
      .setName('days')
      .setDescription('How far back (default 7 days)')
      .addChoices({ name: 'last 7 days', value: 7 }, { name: 'last 30 days', value: 30 }),
  );

export function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<HandlerResult> {
  return replyInsights(interaction, ctx, interaction.options.getInteger('days'));
}
