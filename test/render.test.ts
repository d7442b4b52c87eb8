import { describe, expect, test } from 'vitest';
import type { Answer, Citation, DocInfo, QuoteContext } from '../src/core/types.js';
import { LIMITS, embedsLength, limitViolations } from '../src/message/limits.js';
import { discordMarkup, escapeMarkdown, plainMarkup } from '../src/message/markdown.js';
import { toDiscordPayload } from '../src/discord/payload.js';
import { renderAnswer, renderRefusal } from '../src/message/answer.js';
import { docChoices, renderDocCard, renderDocList, renderSearch, renderSourcesView } from '../src/message/sources.js';
import { toPlainText } from '../src/message/rendered.js';

/** What Discord displays for escaped text: every backslash escape shows the character itself. */
const displayed = (s: string) => s.replace(/\\([^0-9A-Za-z\s])/g, '$1');

const MARKDOWN =
  '**bold** _it_ __u__ ~~s~~ `code` ||spoiler|| [link](https://x.y) <@123> <@&5> <#456> <t:1:R> @everyone @here \\ back';

function fakeDoc(len: number, seed = 'word'): string {
  const words: string[] = [];
  let n = 0;
  while (words.join(' ').length < len) words.push(`${seed}${n++}`);
  return words.join(' ').slice(0, len);
}

function answerOf(question: string, citations: Citation[]): Answer {
  return { question, answered: true, answer: '', citations, closest: [], timings_ms: { total: 1 } };
}

function citation(n: number, doc: string, text: string, start: number, end: number, score: number): Citation {
  return { n, doc, title: `Title of ${doc}`, quote: text.slice(start, end), start, end, score };
}

/** The quote shown in a block: lines without "> ", the marker and the escapes. */
function shownQuotes(description: string): string[] {
  const blocks = description.split('\n\n').filter((b) => b.startsWith('> '));
  return blocks.map((b) =>
    displayed(
      b
        .split('\n')
        .map((l) => l.replace(/^> /, ''))
        .join('\n')
        .replace(/ \[\d+\]$/, ''),
    ),
  );
}

describe('escapeMarkdown', () => {
  test('adds only escapes, so Discord shows the original text', () => {
    const text = `${MARKDOWN}\n# Heading\n## Sub\n-# subtext\n- item\n+ item\n1. first\n> quoted`;
    expect(displayed(escapeMarkdown(text))).toBe(text);
  });

  test('leaves no active markdown, mention or link syntax', () => {
    const e = escapeMarkdown(MARKDOWN);
    expect(e).not.toMatch(/(^|[^\\])[*_~`|<>[\]()]/);
    expect(e).toContain('\\<@123\\>');
    expect(e).toContain('\\@everyone');
    expect(e).toContain('\\@here');
    expect(e).not.toMatch(/(^|[^\\])@everyone/);
  });

  test('escapes line-start syntax: headings, lists, numbered lists', () => {
    const e = escapeMarkdown('# Big\n- dash\n12. twelve\nplain # not heading');
    expect(e.split('\n')).toEqual(['\\# Big', '\\- dash', '12\\. twelve', 'plain # not heading']);
  });

  test('plain markup keeps the text as is', () => {
    expect(plainMarkup.text(MARKDOWN)).toBe(MARKDOWN);
  });
});

describe('renderAnswer', () => {
  const text = 'Alpha beta gamma. The *council* voted <@42> yes. Delta epsilon @everyone zeta.';
  const c1 = citation(1, 'a.txt', text, 18, 48, 0.9);
  const c2 = citation(2, 'b.txt', text, 49, 80, 0.7);

  test('embed: title is the question, block quotes with [n], numbered sources, footer, buttons', () => {
    const { rendered, shown } = renderAnswer(answerOf('What did the council do?', [c1, c2]), {
      docsSearched: 7,
      sourcesId: () => 'src1:x',
      pinId: 'pin1',
    });
    expect(rendered.ephemeral).toBe(false);
    const e = rendered.embeds[0]!;
    expect(e.title).toBe('What did the council do?');
    expect(e.description).toMatch(
      /^> .* \[1\]\n\n> .* \[2\]\n\n\*\*Sources\*\*\n\[1\] Title of a\.txt — `a\.txt`\n\[2\] Title of b\.txt — `b\.txt`$/,
    );
    expect(shownQuotes(e.description!)).toEqual([c1.quote, c2.quote]);
    expect(e.footer?.text).toBe('Searched 7 documents');
    expect(rendered.buttons.map((b) => b.label)).toEqual(['Sources', 'Pin']);
    expect(shown.map((s) => [s.n, s.cut])).toEqual([
      [1, false],
      [2, false],
    ]);
  });

  test('private answers get no Pin button', () => {
    const { rendered } = renderAnswer(answerOf('q?', [c1]), {
      docsSearched: 1,
      private: true,
      sourcesId: () => 'src1:x',
      pinId: 'pin1',
    });
    expect(rendered.ephemeral).toBe(true);
    expect(rendered.buttons.map((b) => b.label)).toEqual(['Sources']);
  });

  test('citations from one document share a source line', () => {
    const c3 = citation(3, 'a.txt', text, 0, 17, 0.5);
    const { rendered } = renderAnswer(answerOf('q?', [c1, c2, c3]), { docsSearched: 2 });
    expect(rendered.embeds[0]!.description).toContain('[1][3] Title of a.txt — `a.txt`');
  });

  test('drops whole lower-ranked citations to fit, keeping the best ones uncut and renumbered', () => {
    const doc = fakeDoc(20_000);
    // Five quotes of ~1500 characters; ranking by score is 4 > 1 > 5 > 2 > 3.
    const scores = [0.8, 0.5, 0.3, 0.9, 0.6];
    const cs = scores.map((s, i) => citation(i + 1, 'long.txt', doc, i * 2000, i * 2000 + 1500, s));
    const { rendered, shown } = renderAnswer(answerOf('long?', cs), { docsSearched: 1 });
    const e = rendered.embeds[0]!;
    expect(limitViolations({ embeds: rendered.embeds })).toEqual([]);
    expect(e.description!.length).toBeLessThanOrEqual(LIMITS.embedDescription);
    // Two 1500-character quotes fit in 4096, three do not: the two best (n=4, n=1) stay, in reading order.
    expect(shown.map((s) => s.original.n)).toEqual([1, 4]);
    expect(shown.map((s) => s.n)).toEqual([1, 2]);
    expect(shown.every((s) => !s.cut)).toBe(true);
    expect(shownQuotes(e.description!)).toEqual([cs[0]!.quote, cs[3]!.quote]);
    expect(e.footer!.text).toContain('3 lower-ranked passages left out to fit');
  });

  test('cuts a quote only when it alone is too long: marked with … and offsets honest', () => {
    const doc = fakeDoc(12_000);
    const big = citation(1, 'big.txt', doc, 100, 11_000, 0.9);
    const small = citation(2, 'big.txt', doc, 11_100, 11_200, 0.4);
    const { rendered, shown } = renderAnswer(answerOf('big?', [big, small]), { docsSearched: 1 });
    expect(limitViolations({ embeds: rendered.embeds })).toEqual([]);
    expect(shown).toHaveLength(1);
    const s = shown[0]!;
    expect(s.cut).toBe(true);
    expect(s.start).toBe(100);
    expect(s.end).toBeLessThan(11_000);
    expect(doc.slice(s.start, s.end)).toBe(s.quote);
    expect(s.original).toBe(big);
    const q = shownQuotes(rendered.embeds[0]!.description!)[0]!;
    expect(q).toBe(s.quote + '…');
    // Nearly the whole description budget is used: the cut is not wasteful.
    expect(rendered.embeds[0]!.description!.length).toBeGreaterThan(LIMITS.embedDescription - 200);
  });

  test('escaping that doubles the length still fits', () => {
    const doc = '*_'.repeat(3000);
    const c = citation(1, 'stars.txt', doc, 0, 6000, 1);
    const { rendered, shown } = renderAnswer(answerOf('*?*', [c]), { docsSearched: 1 });
    expect(limitViolations({ embeds: rendered.embeds })).toEqual([]);
    expect(shown[0]!.cut).toBe(true);
    expect(shownQuotes(rendered.embeds[0]!.description!)[0]).toBe(shown[0]!.quote + '…');
  });

  test('a long markdown-heavy question becomes a title within 256 characters', () => {
    const q = '**' + 'why '.repeat(120) + '**';
    const { rendered } = renderAnswer(answerOf(q, [c1]), { docsSearched: 1 });
    expect(rendered.embeds[0]!.title!.length).toBeLessThanOrEqual(LIMITS.embedTitle);
    expect(rendered.embeds[0]!.title!.endsWith('…')).toBe(true);
  });

  test('an unanswered answer renders the refusal', () => {
    const a: Answer = {
      question: 'Who won?',
      answered: false,
      answer: '',
      citations: [],
      closest: [{ doc: 'x.txt', title: 'X report', score: 0.2 }],
      timings_ms: { total: 1 },
    };
    const { rendered, shown } = renderAnswer(a, { docsSearched: 4 });
    expect(shown).toEqual([]);
    expect(rendered.ephemeral).toBe(true);
    expect(rendered.content).toContain('“Who won?”');
    expect(rendered.content).toContain('X report (`x.txt`)');
  });
});

describe('renderRefusal', () => {
  test('names the closest documents and stays within 2000 characters', () => {
    const closest = Array.from({ length: 5 }, (_, i) => ({
      doc: `d${i}.txt`,
      title: '<@1> *T* '.repeat(60),
      score: 0.1,
    }));
    const r = renderRefusal({ question: '@everyone ' + 'q'.repeat(290), closest }, { docsSearched: 5 });
    expect(r.content!.length).toBeLessThanOrEqual(LIMITS.content);
    expect(r.content).toContain('closest documents');
    expect(r.content).not.toMatch(/(^|[^\\])@everyone/);
    expect(r.content).not.toMatch(/(^|[^\\])<@1/);
  });
});

describe('renderSourcesView', () => {
  const ctx = (quote: string, before = 'Before sentence. ', after = ' After sentence.'): QuoteContext => ({
    doc: 'a.txt',
    title: 'A title',
    before,
    quote,
    after,
    paragraph: 2,
    paragraphs: 9,
  });

  test('each citation with its surrounding sentences, title and position', () => {
    const r = renderSourcesView([{ n: 1, doc: 'a.txt', ctx: ctx('The quote.') }]);
    expect(r.ephemeral).toBe(true);
    const e = r.embeds[0]!;
    expect(e.title).toBe('[1] A title');
    expect(e.description).toBe('Before sentence. **The quote.** After sentence.');
    expect(e.footer!.text).toBe('a.txt · paragraph 2 of 9');
  });

  test('ten huge contexts fit 6000 in total by trimming context first', () => {
    const big = fakeDoc(5000);
    const items = Array.from({ length: 10 }, (_, i) => ({
      n: i + 1,
      doc: 'a.txt',
      ctx: ctx('Quote number ' + i + '.', big + ' ', ' ' + big),
    }));
    const r = renderSourcesView(items);
    expect(limitViolations({ embeds: r.embeds })).toEqual([]);
    expect(r.embeds.length).toBe(10);
    for (const [i, e] of r.embeds.entries()) expect(e.description).toContain(`**Quote number ${i}.**`);
  });

  test('a quote too long for one embed is cut with …', () => {
    const r = renderSourcesView([{ n: 1, doc: 'a.txt', ctx: ctx(fakeDoc(9000)) }]);
    expect(limitViolations({ embeds: r.embeds })).toEqual([]);
    expect(r.embeds[0]!.description).toMatch(/…\*\*/);
  });

  test('no valid citation → a clear message', () => {
    const r = renderSourcesView([], { invalid: 2 });
    expect(r.embeds).toEqual([]);
    expect(r.content).toMatch(/could not be found/);
  });
});

describe('/sources renderers', () => {
  const docs: DocInfo[] = Array.from({ length: 400 }, (_, i) => ({
    doc: `file-${String(i).padStart(3, '0')}.txt`,
    title: i === 7 ? 'Special *report* on ports' : `Document number ${i}`,
    passages: i + 1,
    words: 100 * i,
  }));

  test('document list: title, file, passages, words; long lists end with a count', () => {
    const r = renderDocList(docs.slice(0, 2));
    expect(r.embeds[0]!.description).toBe(
      '**Document number 0** — `file-000.txt` · 1 passage · 0 words\n**Document number 1** — `file-001.txt` · 2 passages · 100 words',
    );
    const all = renderDocList(docs);
    expect(limitViolations({ embeds: all.embeds })).toEqual([]);
    expect(all.embeds[0]!.description).toMatch(/…and \d+ more/);
    expect(all.embeds[0]!.title).toBe('The collection: 400 documents');
  });

  test('search results: numbered quotes and sources, within limits', () => {
    const hits = Array.from({ length: 5 }, (_, i) => ({
      doc: 'h.txt',
      title: 'H',
      quote: fakeDoc(1200, `q${i}`),
      start: i * 2000,
      end: i * 2000 + 1200,
      score: 1 - i / 10,
    }));
    const r = renderSearch('ports', hits, { docsSearched: 3 });
    expect(limitViolations({ embeds: r.embeds })).toEqual([]);
    expect(r.embeds[0]!.title).toBe('Passages matching “ports”');
    expect(r.embeds[0]!.description).toMatch(
      /\[1\]\n\n> .* \[2\]\n\n> .* \[3\]\n\n\*\*Sources\*\*\n\[1\]\[2\]\[3\] H — `h\.txt`$/s,
    );
    expect(renderSearch('zzz', [], { docsSearched: 3 }).content).toBe('No passages match “zzz”.');
  });

  test('document card with fields; only http(s) URLs become links', () => {
    const r = renderDocCard({
      doc: 'a.txt',
      title: 'A',
      outlet: 'Gazette',
      url: 'https://example.org/a',
      published: '2024-01-01',
      passages: 3,
      words: 50,
    });
    expect(r.embeds[0]!.url).toBe('https://example.org/a');
    expect(r.embeds[0]!.fields!.map((f) => `${f.name}=${f.value}`)).toEqual([
      'File=`a.txt`',
      'Passages=3',
      'Words=50',
      'Outlet=Gazette',
      'Published=2024-01-01',
    ]);
    expect(
      renderDocCard({ doc: 'b.txt', title: 'B', url: 'javascript:alert(1)', passages: 1, words: 1 }).embeds[0]!.url,
    ).toBeUndefined();
  });

  test('autocomplete: at most 25 choices matching title or file', () => {
    expect(docChoices(docs, '')).toHaveLength(25);
    expect(docChoices(docs, 'special').map((c) => c.value)).toEqual(['file-007.txt']);
    expect(docChoices(docs, 'FILE-01').map((c) => c.value)).toHaveLength(10);
    expect(docChoices(docs, 'nothing like this')).toEqual([]);
    for (const c of docChoices(docs, 'doc')) expect(c.name.length).toBeLessThanOrEqual(100);
  });
});

describe('output adapters', () => {
  test('Discord payloads never parse mentions and keep buttons within a row', () => {
    const p = toDiscordPayload({
      content: 'x',
      embeds: [],
      buttons: Array.from({ length: 7 }, (_, i) => ({
        customId: `b${i}`,
        label: `B${i}`,
        style: 'secondary' as const,
      })),
      ephemeral: false,
    });
    expect(p.allowedMentions).toEqual({ parse: [] });
    expect(p.components.map((r) => r.components.length)).toEqual([5, 2]);
  });

  test('the last guard clamps an oversized message', () => {
    const p = toDiscordPayload({
      content: 'c'.repeat(5000),
      embeds: [{ title: 't'.repeat(400), description: 'd'.repeat(5000) }, { description: 'e'.repeat(4000) }],
      buttons: [],
      ephemeral: false,
    });
    expect(limitViolations({ content: p.content, embeds: p.embeds as never })).toEqual([]);
    expect(embedsLength(p.embeds as never)).toBeLessThanOrEqual(6000);
  });

  test('console text shows quotes literally (no escapes)', () => {
    const text = 'He said *no* to <@42> and @everyone.';
    const c = citation(1, 'a.txt', text, 0, text.length, 1);
    const { rendered } = renderAnswer(answerOf('What did he say?', [c]), { docsSearched: 1, markup: plainMarkup });
    const out = toPlainText(rendered);
    expect(out).toContain(`> ${text} [1]`);
    expect(out).toContain('[1] Title of a.txt — a.txt');
    expect(out).toContain('Searched 1 document');
    expect(discordMarkup.kind).toBe('discord');
  });
});
