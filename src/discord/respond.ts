/**
 * Sending a rendered message to an interaction, whatever state it is in, with the rules
 * Discord imposes: the defer decides the original response's visibility, and the first
 * follow-up after a defer replaces the placeholder with that same visibility. So an ephemeral
 * message after a public defer first turns the placeholder into a short public note, then
 * follows up ephemerally.
 */
import { MessageFlags, type Message, type RepliableInteraction } from 'discord.js';
import { toDiscordPayload } from './payload.js';
import { type Rendered, renderNotice } from '../message/rendered.js';

export interface SendOptions {
  /** Replaces a public placeholder when `r` is ephemeral but the defer was public. */
  publicNote?: Rendered;
}

const DEFAULT_NOTE = renderNotice('I could not answer this one here; the asker got a private reply.', false);

/** Resolves with the message `r` became when Discord returns it (after a defer, or a follow-up). */
export async function send(i: RepliableInteraction, r: Rendered, opts: SendOptions = {}): Promise<Message | undefined> {
  const payload = toDiscordPayload(r);
  const flags = r.ephemeral ? MessageFlags.Ephemeral : undefined;
  if (!i.deferred && !i.replied) {
    await i.reply({ ...payload, ...(flags ? { flags } : {}) });
    return undefined;
  }
  if (i.deferred && !i.replied) {
    if (r.ephemeral && !i.ephemeral) {
      await i.editReply(toDiscordPayload(opts.publicNote ?? DEFAULT_NOTE));
      return i.followUp({ ...payload, flags: MessageFlags.Ephemeral });
    }
    return i.editReply(payload);
  }
  return i.followUp({ ...payload, ...(flags ? { flags } : {}) });
}

/** Defer at once; `ephemeral` fixes the visibility of the original response. */
export async function deferFirst(i: RepliableInteraction, ephemeral: boolean): Promise<void> {
  if (i.deferred || i.replied) return;
  await i.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
}
