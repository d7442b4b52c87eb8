/**
 * A small deterministic Engine over in-memory texts, for unit tests of the Discord layer and
 * the console. Offsets are honest: every quote is exactly `text.slice(start, end)`.
 *
 * Paragraphs are separated by blank lines; each sentence is a passage. A question is answered
 * when some sentence contains at least half of its content words; up to 3 such sentences are cited.
 */
import { createHash } from 'node:crypto';
import type {
  Answer,
  Citation,
  DocInfo,
  Engine,
  NearDoc,
  PassageHit,
  QuoteContext,
  Span,
} from '../../src/core/types.js';

export interface StubDoc {
  id: string;
  title?: string;
  text: string;
  outlet?: string;
  url?: string;
  published?: string;
}

interface Para extends Span {
  sentences: Span[];
}

interface Indexed {
  doc: StubDoc;
  title: string;
  paragraphs: Para[];
}

export interface StubEngine extends Engine {
  /** Every question asked, in order (ask and askMany). */
  readonly asked: string[];
  /** Sizes of the askMany batches. */
  readonly batches: number[];
  /** Follow-ups asked (askMany with a context): the question and the earlier one. */
  readonly followUps: { question: string; earlier: string }[];
  /** Make the next calls fail (to test error handling). */
  failNext(n?: number): void;
  /** Milliseconds each ask/askMany waits before answering. */
  delayMs: number;
}

const STOP = new Set(
  'a an and are as at be but by did do does for from had has have he her his how i in is it its of on or she that the their them they this to was were what when where which who whom why will with you your'.split(
    ' ',
  ),
);

export function terms(s: string): string[] {
  return [...new Set((s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 1 && !STOP.has(w)))];
}

function splitParagraphs(text: string): Para[] {
  const out: Para[] = [];
  const re = /[^\n]+(?:\n(?![ \t]*\n)[^\n]*)*/g;
  for (const m of text.matchAll(re)) {
    let start = m.index!;
    let end = start + m[0].length;
    while (start < end && /\s/.test(text[start]!)) start++;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    if (end <= start) continue;
    const sentences: Span[] = [];
    const body = text.slice(start, end);
    for (const s of body.matchAll(/[^.!?]+(?:[.!?]+["”’)\]]*|$)/g)) {
      let a = start + s.index!;
      let b = a + s[0].length;
      while (a < b && /\s/.test(text[a]!)) a++;
      while (b > a && /\s/.test(text[b - 1]!)) b--;
      if (b > a) sentences.push({ start: a, end: b });
    }
    out.push({ start, end, sentences });
  }
  return out;
}

/** A scored sentence as a passage: its document, title, exact quote and offsets. */
const passageOf = (x: { d: Indexed; s: Span; score: number }) => ({
  doc: x.d.doc.id,
  title: x.d.title,
  quote: x.d.doc.text.slice(x.s.start, x.s.end),
  start: x.s.start,
  end: x.s.end,
  score: x.score,
});

export function createStubEngine(docs: readonly StubDoc[], opts: { minScore?: number } = {}): StubEngine {
  const minScore = opts.minScore ?? 0.5;
  const indexed: Indexed[] = docs.map((doc) => ({
    doc,
    title: doc.title ?? doc.id,
    paragraphs: splitParagraphs(doc.text),
  }));
  const byId = new Map(indexed.map((d) => [d.doc.id, d]));
  const asked: string[] = [];
  const batches: number[] = [];
  const followUps: { question: string; earlier: string }[] = [];
  let failures = 0;

  const scoreAll = (question: string) => {
    const q = terms(question);
    const scored: { d: Indexed; s: Span; score: number }[] = [];
    if (q.length === 0) return scored;
    for (const d of indexed)
      for (const p of d.paragraphs)
        for (const s of p.sentences) {
          const words = new Set(terms(d.doc.text.slice(s.start, s.end)));
          const hit = q.filter((w) => words.has(w)).length;
          if (hit > 0) scored.push({ d, s, score: hit / q.length });
        }
    scored.sort((a, b) => b.score - a.score || a.s.start - b.s.start);
    return scored;
  };

  const answer = (question: string): Answer => {
    asked.push(question);
    const scored = scoreAll(question);
    const good = scored.filter((x) => x.score >= minScore).slice(0, 3);
    if (good.length === 0) {
      const best = new Map<string, NearDoc>();
      for (const x of scored)
        if (!best.has(x.d.doc.id)) best.set(x.d.doc.id, { doc: x.d.doc.id, title: x.d.title, score: x.score });
      for (const d of indexed)
        if (best.size < 3 && !best.has(d.doc.id)) best.set(d.doc.id, { doc: d.doc.id, title: d.title, score: 0 });
      return {
        question,
        answered: false,
        answer: 'The collection does not answer this question.',
        citations: [],
        closest: [...best.values()].slice(0, 3),
        timings_ms: { total: 1 },
      };
    }
    const citations: Citation[] = good.map((x, i) => ({ n: i + 1, ...passageOf(x) }));
    return {
      question,
      answered: true,
      answer: citations.map((c) => `“${c.quote}” [${c.n}]`).join(' '),
      citations,
      closest: [],
      timings_ms: { total: 1 },
    };
  };

  const maybeFail = () => {
    if (failures > 0) {
      failures--;
      throw new Error('stub engine failure');
    }
  };
  const wait = () => new Promise((r) => setTimeout(r, engine.delayMs));

  const info = (d: Indexed): DocInfo => ({
    doc: d.doc.id,
    title: d.title,
    ...(d.doc.outlet ? { outlet: d.doc.outlet } : {}),
    ...(d.doc.url ? { url: d.doc.url } : {}),
    ...(d.doc.published ? { published: d.doc.published } : {}),
    passages: d.paragraphs.reduce((n, p) => n + p.sentences.length, 0),
    words: (d.doc.text.match(/\S+/g) ?? []).length,
  });

  const engine: StubEngine = {
    embedderId:
      'stub:' +
      createHash('sha256')
        .update(docs.map((d) => d.id).join('\n'))
        .digest('hex')
        .slice(0, 8),
    asked,
    batches,
    followUps,
    delayMs: 0,
    failNext(n = 1) {
      failures = n;
    },
    async ask(question) {
      if (engine.delayMs) await wait();
      batches.push(1);
      maybeFail();
      return answer(question);
    },
    async askMany(questions, contexts) {
      if (engine.delayMs) await wait();
      batches.push(questions.length);
      contexts?.forEach((c, i) => c && followUps.push({ question: questions[i]!, earlier: c.earlier }));
      maybeFail();
      return questions.map(answer);
    },
    async search(query, k = 5): Promise<PassageHit[]> {
      maybeFail();
      return scoreAll(query).slice(0, k).map(passageOf);
    },
    documents: () => indexed.map(info),
    document: (id) => {
      const d = byId.get(id);
      return d ? info(d) : undefined;
    },
    documentText: (id) => {
      const d = byId.get(id);
      return d && { doc: d.doc.id, text: d.doc.text };
    },
    context(doc, start, end): QuoteContext | undefined {
      const d = byId.get(doc);
      if (!d || !Number.isInteger(start) || !Number.isInteger(end) || start >= end) return undefined;
      const pi = d.paragraphs.findIndex((p) => start >= p.start && end <= p.end);
      if (pi < 0) return undefined;
      const p = d.paragraphs[pi]!;
      const prev = [...p.sentences].reverse().find((s) => s.end <= start);
      const next = p.sentences.find((s) => s.start >= end);
      return {
        doc,
        title: d.title,
        before: prev ? d.doc.text.slice(prev.start, start) : d.doc.text.slice(p.start, start),
        quote: d.doc.text.slice(start, end),
        after: next ? d.doc.text.slice(end, next.end) : d.doc.text.slice(end, p.end),
        paragraph: pi + 1,
        paragraphs: d.paragraphs.length,
      };
    },
  };
  return engine;
}

/** A tiny neutral collection for tests (nothing from seeds/). */
export const SAMPLE_DOCS: StubDoc[] = [
  {
    id: 'harbour.txt',
    title: 'Harbour council approves new lighthouse',
    outlet: 'Coastal Gazette',
    url: 'https://example.org/harbour',
    published: '2024-03-02',
    text:
      'Harbour council approves new lighthouse\n\n' +
      'The harbour council voted on Tuesday to build a new lighthouse on the northern pier. ' +
      'The old tower had been dark since the storm of 2019.\n\n' +
      'Councillor Mira Okafor said the lighthouse would cost about four million euros. ' +
      'Construction is expected to start in the spring.',
  },
  {
    id: 'orchard.txt',
    title: 'Orchard growers report record apple harvest',
    text:
      'Orchard growers report record apple harvest\n\n' +
      'Apple growers in the valley picked a record harvest this autumn. ' +
      'Warm weather in May helped the blossoms survive.\n\n' +
      'The cooperative plans to export half of the apples to neighbouring countries.',
  },
  {
    id: 'library.txt',
    title: 'City library extends opening hours',
    text:
      'City library extends opening hours\n\n' +
      'The city library will stay open until ten in the evening from next month. ' +
      'Students had asked for quiet study space during exams.',
  },
];
