/** /sources [query] [doc] — browse the collection: the list, a passage lookup, or one document's card. */
import { SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { composeSources } from '../src/discord/compose.js';
import { docChoices } from '../src/discord/render.js';
import { deferFirst, send } from '../src/discord/respond.js';
import type { BotContext, HandlerResult } from '../src/discord/types.js';

export const data = new SlashCommandBuilder()
  .setName('sources')
  .setDescription('Browse the documents: list them, look up passages, or show one document.')
  .addStringOption((o) =>
    o.setName('query').setDescription('Words to look up: the 5 best matching passages (no answer)').setMaxLength(300),
  )
  .addStringOption((o) => o.setName('doc').setDescription('One document (by title or file name)').setAutocomplete(true).setMaxLength(100));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<HandlerResult> {
  await deferFirst(interaction, true);
  const query = interaction.options.getString('query');
  const doc = interaction.options.getString('doc');
  await send(interaction, await composeSources(ctx.engine, { query, doc }));
  return { outcome: doc ? 'doc' : query ? 'query' : 'list' };
}

export async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<HandlerResult> {
  const focused = interaction.options.getFocused(true);
  const choices = focused.name === 'doc' ? docChoices(ctx.engine.documents(), String(focused.value)) : [];
  await interaction.respond(choices);
  return { outcome: 'autocomplete' };
}
