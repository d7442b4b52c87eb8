/**
 * A rendered message as a discord.js payload: buttons into action rows, everything clamped to
 * Discord's limits one last time, and no mentions ever parsed.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type APIEmbed } from 'discord.js';
import { LIMITS, embedLength, embedsLength, truncate, type EmbedData } from '../message/limits.js';
import type { Rendered } from '../message/rendered.js';

export interface DiscordPayload {
  content?: string;
  embeds: APIEmbed[];
  components: ActionRowBuilder<ButtonBuilder>[];
  allowedMentions: { parse: [] };
}

/** Clamp anything that slipped past a renderer (it should not happen; this is the last guard). */
function clampEmbeds(embeds: readonly EmbedData[]): EmbedData[] {
  const out = embeds.slice(0, LIMITS.embedsPerMessage).map((e) => {
    const c: EmbedData = { ...e };
    if (c.title !== undefined) c.title = truncate(c.title, LIMITS.embedTitle);
    if (c.description !== undefined) c.description = truncate(c.description, LIMITS.embedDescription);
    if (c.footer) c.footer = { text: truncate(c.footer.text, LIMITS.embedFooter) };
    if (c.fields)
      c.fields = c.fields.slice(0, LIMITS.embedFields).map((f) => ({
        name: truncate(f.name || '\u200b', LIMITS.embedFieldName),
        value: truncate(f.value || '\u200b', LIMITS.embedFieldValue),
        inline: f.inline,
      }));
    return c;
  });
  while (out.length > 1 && embedsLength(out) > LIMITS.embedTotal) out.pop();
  const first = out[0];
  if (first && embedLength(first) > LIMITS.embedTotal && first.description) {
    first.description = truncate(
      first.description,
      Math.max(1, first.description.length - (embedLength(first) - LIMITS.embedTotal)),
    );
  }
  return out;
}

export function toDiscordPayload(r: Rendered): DiscordPayload {
  const rows: ActionRowBuilder<ButtonBuilder>[] = [];
  const buttons = r.buttons.slice(0, LIMITS.buttonsPerRow * LIMITS.rowsPerMessage);
  for (let i = 0; i < buttons.length; i += LIMITS.buttonsPerRow) {
    rows.push(
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        buttons.slice(i, i + LIMITS.buttonsPerRow).map((b) =>
          new ButtonBuilder()
            .setCustomId(b.customId)
            .setLabel(truncate(b.label, LIMITS.buttonLabel))
            .setStyle(b.style === 'primary' ? ButtonStyle.Primary : ButtonStyle.Secondary),
        ),
      ),
    );
  }
  const payload: DiscordPayload = {
    embeds: clampEmbeds(r.embeds) as APIEmbed[],
    components: rows,
    allowedMentions: { parse: [] },
  };
  if (r.content !== undefined) payload.content = truncate(r.content, LIMITS.content);
  return payload;
}
