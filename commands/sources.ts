/**
 * /sources [query] [doc] — for everyone: the list of documents, a passage lookup, or one document's
 * card. In a server: its own documents (marked) and the base collection unless the server hides it;
 * in a DM: the base. Replies are only visible to the member. Moderators change a server's documents
 * with /collection. A command registered by an older version (subcommands browse/add/remove) still
 * browses, and points add/remove to /collection.
 */
import { SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { composeSources } from '../src/message/compose.js';
import { deferFirst, send } from '../src/discord/respond.js';
import { engineFor } from '../src/discord/guild.js';
import type { BotContext, HandlerResult } from '../src/discord/types.js';
import { docChoices } from '../src/message/sources.js';
import { renderNotice, renderSlowDown } from '../src/message/rendered.js';

export const data = new SlashCommandBuilder()
  .setName('sources')
  .setDescription('The documents: list them, look up passages, or show one.')
  .addStringOption((o) =>
    o.setName('query').setDescription('Words to look up: the 5 best matching passages (no answer)').setMaxLength(300),
  )
  .addStringOption((o) =>
    o.setName('doc').setDescription('One document (by title or file name)').setAutocomplete(true).setMaxLength(100),
  );

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<HandlerResult> {
  const sub = interaction.options.getSubcommand(false);
  if (sub === 'add' || sub === 'remove') {
    await send(
      interaction,
      renderNotice(`Documents are now added and removed with **/collection ${sub}** (moderators of this server).`),
    );
    return { outcome: `${sub}_moved` };
  }
  // A lookup runs a search, as a question does: it counts against the same per-member limit.
  const limit = ctx.limiter.take(interaction.user.id);
  if (!limit.allowed) {
    await send(interaction, renderSlowDown(limit.retryAfterMs, ctx.limiter.count, ctx.limiter.windowMs / 1000));
    return { outcome: 'rate_limited' };
  }
  await deferFirst(interaction, true);
  const query = interaction.options.getString('query');
  const doc = interaction.options.getString('doc');
  const engine = await engineFor(ctx, interaction.guildId);
  await send(interaction, await composeSources(engine, { query, doc }));
  return { outcome: doc ? 'doc' : query ? 'query' : 'list' };
}

export async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<HandlerResult> {
  const focused = interaction.options.getFocused(true);
  if (ctx.autocompleteLimiter && !ctx.autocompleteLimiter.take(interaction.user.id).allowed) {
    await interaction.respond([]);
    return { outcome: 'autocomplete_rate_limited' };
  }
  const engine = await engineFor(ctx, interaction.guildId);
  const choices = focused.name === 'doc' ? docChoices(engine.documents(), String(focused.value)) : [];
  await interaction.respond(choices);
  return { outcome: 'autocomplete' };
}
