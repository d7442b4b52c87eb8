/**
 * Discord's message limits, and small helpers that cut text without breaking it.
 * Every renderer in this folder measures against these numbers before anything is sent.
 */

export const LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooter: 2048,
  embedAuthor: 256,
  embedFields: 25,
  /** Sum of title, description, field names and values, footer and author over all embeds of one message. */
  embedTotal: 6000,
  embedsPerMessage: 10,
  buttonsPerRow: 5,
  rowsPerMessage: 5,
  buttonLabel: 80,
  customId: 100,
  autocompleteChoices: 25,
  choiceName: 100,
  choiceValue: 100,
} as const;

export const ELLIPSIS = '…';

/** A plain embed as this project builds it (a subset of Discord's APIEmbed). */
export interface EmbedData {
  title?: string;
  url?: string;
  description?: string;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
  author?: { name: string };
  color?: number;
}

/** Characters an embed counts against the 6000-per-message budget. */
export function embedLength(e: EmbedData): number {
  let n =
    (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.author?.name.length ?? 0);
  for (const f of e.fields ?? []) n += f.name.length + f.value.length;
  return n;
}

export function embedsLength(embeds: readonly EmbedData[]): number {
  return embeds.reduce((sum, e) => sum + embedLength(e), 0);
}

/** Never leave half of a surrogate pair at a cut. */
export function safeCut(text: string, len: number): number {
  if (len <= 0) return 0;
  if (len >= text.length) return text.length;
  const code = text.charCodeAt(len - 1);
  return code >= 0xd800 && code <= 0xdbff ? len - 1 : len;
}

/**
 * The longest prefix length L of `text` such that `measure(text.slice(0, L)) <= budget`,
 * moved back to a word boundary when one is near. `measure` must grow with the prefix.
 */
export function fitPrefix(text: string, budget: number, measure: (prefix: string) => number): number {
  if (measure(text) <= budget) return text.length;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(text.slice(0, mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  let cut = safeCut(text, lo);
  // Prefer ending at a word boundary if one is within the last 40 characters.
  const space = text.lastIndexOf(' ', cut);
  if (space > 0 && cut - space < 40 && space < cut) cut = space;
  while (cut > 0 && /\s/.test(text[cut - 1]!)) cut--;
  return cut;
}

/** The longest suffix start S such that `measure(text.slice(S)) <= budget`, moved forward to a word boundary. */
export function fitSuffix(text: string, budget: number, measure: (suffix: string) => number): number {
  if (measure(text) <= budget) return 0;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (measure(text.slice(mid)) <= budget) hi = mid;
    else lo = mid + 1;
  }
  let start = lo;
  if (start > 0 && start < text.length) {
    const c = text.charCodeAt(start);
    if (c >= 0xdc00 && c <= 0xdfff) start++;
  }
  const space = text.indexOf(' ', start);
  if (space >= 0 && space - start < 40) start = space;
  while (start < text.length && /\s/.test(text[start]!)) start++;
  return start;
}

/** Cut plain text to `max` characters, marking the cut with "…". */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return ELLIPSIS.slice(0, max);
  const cut = fitPrefix(text, max - 1, (p) => p.length);
  return text.slice(0, cut) + ELLIPSIS;
}

/** Problems with a message payload, as readable strings (empty when it fits every limit). */
export function limitViolations(msg: {
  content?: string | null;
  embeds?: readonly EmbedData[];
  components?: readonly { components: readonly unknown[] }[];
}): string[] {
  const out: string[] = [];
  if ((msg.content?.length ?? 0) > LIMITS.content) out.push(`content ${msg.content!.length} > ${LIMITS.content}`);
  const embeds = msg.embeds ?? [];
  if (embeds.length > LIMITS.embedsPerMessage) out.push(`embeds ${embeds.length} > ${LIMITS.embedsPerMessage}`);
  embeds.forEach((e, i) => {
    if ((e.title?.length ?? 0) > LIMITS.embedTitle) out.push(`embed ${i} title ${e.title!.length}`);
    if ((e.description?.length ?? 0) > LIMITS.embedDescription)
      out.push(`embed ${i} description ${e.description!.length}`);
    if ((e.footer?.text.length ?? 0) > LIMITS.embedFooter) out.push(`embed ${i} footer`);
    if ((e.author?.name.length ?? 0) > LIMITS.embedAuthor) out.push(`embed ${i} author`);
    const fields = e.fields ?? [];
    if (fields.length > LIMITS.embedFields) out.push(`embed ${i} fields ${fields.length} > ${LIMITS.embedFields}`);
    fields.forEach((f, j) => {
      if (f.name.length > LIMITS.embedFieldName || f.name.length === 0) out.push(`embed ${i} field ${j} name`);
      if (f.value.length > LIMITS.embedFieldValue || f.value.length === 0) out.push(`embed ${i} field ${j} value`);
    });
  });
  const total = embedsLength(embeds);
  if (total > LIMITS.embedTotal) out.push(`embeds total ${total} > ${LIMITS.embedTotal}`);
  const rows = msg.components ?? [];
  if (rows.length > LIMITS.rowsPerMessage) out.push(`rows ${rows.length} > ${LIMITS.rowsPerMessage}`);
  rows.forEach((r, i) => {
    if (r.components.length > LIMITS.buttonsPerRow) out.push(`row ${i} has ${r.components.length} components`);
  });
  return out;
}
