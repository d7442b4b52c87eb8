/**
 * PDF layouts that are not one column of prose, generated with pdf-lib: two and three columns
 * (drawn line by line across the page, column by column, right column first; baselines level
 * or offset by half a line), under a full-width title and above a full-width paragraph; and a
 * table between two paragraphs. Each column must read in order, whole, so no quote is a splice
 * of two columns; a table's cells must not run on into sentences that get quoted; and through a
 * real index, a quote is still `text.slice(start, end)` of the stored text.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PDFDocument, StandardFonts, type PDFFont } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../src/ingest/chunk.js';
import { cleanDocument } from '../src/ingest/clean/clean.js';
import { extract } from '../src/ingest/extract/extract.js';
import type { Extracted } from '../src/ingest/extract/extracted.js';
import type { Engine } from '../src/core/types.js';
import { tempDir } from './helpers/tmp-collection.js';
import { openEngine } from '../src/engine/open.js';

/** Three stories, one per column; no word of one is in another's markers. */
const FLOOD = [
  'The river rose two metres overnight and flooded the lower town, where most of the old warehouses stand.',
  'Volunteers filled sandbags until dawn near the old mill, and the fire brigade pumped water out of forty cellars.',
  'By noon the water had started to fall again, and the mayor said the new flood wall had saved the market square.',
];
const MUSIC = [
  'The city orchestra announced a new chief conductor on Tuesday evening after a search that lasted two years.',
  'She will lead her first concert in the autumn season with a programme of Sibelius and two new commissions.',
  'Tickets for the opening night go on sale next month at the box office and online, the orchestra said.',
];
const CHESS = [
  'A twelve-year-old pupil won the regional chess championship on Sunday without losing a single game.',
  'Her coach said she had prepared for the final round by studying endgames with a retired grandmaster.',
];
const MARKERS = {
  flood: /river|sandbag|flood|cellars|mayor|warehouses/i,
  music: /orchestra|conductor|concert|Sibelius|tickets/i,
  chess: /chess|grandmaster|endgames|coach/i,
};
const TITLE = 'Weekly news from the valley towns';
const CLOSING =
  'All three stories will be followed up in next week’s edition, which is published on Thursday as usual.';

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && font.widthOfTextAtSize(next, size) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  return line ? [...lines, line] : lines;
}

interface ColumnsSpec {
  columns: string[][];
  /** How the page draws its lines: across the page row by row, column by column, or the last column first. */
  order: 'rows' | 'columns' | 'reversed';
  /** Lower each column after the first by this many points (baselines interleaved in y). */
  offset: number;
}

/** One page: a title across the top, the columns (a blank line between paragraphs), a paragraph across the bottom. */
async function columnsPdf(spec: ColumnsSpec): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.TimesRoman);
  const bold = await pdf.embedFont(StandardFonts.TimesRomanBold);
  const page = pdf.addPage([595, 842]);
  const size = 10;
  const lead = 12.5;
  const gutter = 18;
  const n = spec.columns.length;
  const width = (595 - 100 - gutter * (n - 1)) / n;
  page.drawText(TITLE, { x: 50, y: 780, size: 18, font: bold });
  const cols = spec.columns.map((paras) =>
    paras.flatMap((p, i) => [...(i ? [''] : []), ...wrap(p, font, size, width)]),
  );
  const draws: { text: string; x: number; y: number; col: number; row: number }[] = [];
  cols.forEach((lines, c) =>
    lines.forEach((text, r) => {
      if (text)
        draws.push({ text, x: 50 + c * (width + gutter), y: 740 - r * lead - (c ? spec.offset : 0), col: c, row: r });
    }),
  );
  const sorted =
    spec.order === 'rows'
      ? draws.sort((a, b) => a.row - b.row || a.col - b.col)
      : spec.order === 'columns'
        ? draws
        : draws.sort((a, b) => b.col - a.col || a.row - b.row);
  for (const d of sorted) page.drawText(d.text, { x: d.x, y: d.y, size, font });
  const bottom = 740 - Math.max(...cols.map((l) => l.length)) * lead - 30;
  wrap(CLOSING, font, size, 495).forEach((line, i) => page.drawText(line, { x: 50, y: bottom - i * lead, size, font }));
  return pdf.save();
}

/** The text of every chunk, as it would be quoted. */
const chunksOf = (e: Extracted) => {
  const d = { id: 'x.pdf', hash: 'x', ...e };
  return chunkDocument(cleanDocument(d), 0).map((c) => e.text.slice(c.start, c.end));
};

describe.each([
  { name: 'two columns drawn across the page, level baselines', columns: [FLOOD, MUSIC], order: 'rows', offset: 0 },
  {
    name: 'two columns drawn across the page, baselines half a line apart',
    columns: [FLOOD, MUSIC],
    order: 'rows',
    offset: 6,
  },
  { name: 'two columns, the right one drawn first', columns: [FLOOD, MUSIC], order: 'reversed', offset: 3 },
  { name: 'three columns drawn across the page', columns: [FLOOD, MUSIC, CHESS], order: 'rows', offset: 0 },
  { name: 'three columns drawn column by column', columns: [FLOOD, MUSIC, CHESS], order: 'columns', offset: 4 },
] as const)('$name', (spec) => {
  let e: Extracted;
  beforeAll(async () => {
    e = await extract(
      'columns.pdf',
      await columnsPdf({ columns: spec.columns.map((c) => [...c]), order: spec.order, offset: spec.offset }),
    );
  });

  it('reads the title, each column whole and in order, then the closing paragraph', () => {
    const order = [TITLE, ...spec.columns.flat(), CLOSING];
    const at = order.map((p) => e.text.indexOf(p));
    for (const [i, p] of order.entries()) expect(at[i], p).toBeGreaterThanOrEqual(0);
    expect(at).toEqual([...at].sort((a, b) => a - b));
  });

  it('no chunk mixes two columns', () => {
    const chunks = chunksOf(e);
    expect(chunks.length).toBeGreaterThanOrEqual(spec.columns.flat().length);
    for (const c of chunks) {
      const stories = Object.entries(MARKERS)
        .filter(([, re]) => re.test(c))
        .map(([k]) => k);
      expect(stories.length, c).toBeLessThanOrEqual(1);
    }
  });
});

describe('a table between two paragraphs', () => {
  const ROWS = [
    ['Region', 'Calls 2023', 'Calls 2024', 'Change'],
    ['North', '1,204', '1,380', '+14.6%'],
    ['South', '980', '912', '-6.9%'],
    ['East', '1,511', '1,620', '+7.2%'],
    ['West', '733', '790', '+7.8%'],
  ];
  const BEFORE =
    'Calls to the flood line rose in three of the four regions last year, the water board said in its annual report.';
  const AFTER =
    'The board expects the number of calls to fall once the new warning sirens are installed along the river next spring.';
  let e: Extracted;
  beforeAll(async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    const page = pdf.addPage([595, 842]);
    wrap(BEFORE, font, 10, 480).forEach((l, i) => page.drawText(l, { x: 60, y: 760 - i * 13, size: 10, font }));
    // Cells: the first column left-aligned, the numbers right-aligned, as tables set them.
    ROWS.forEach((row, r) =>
      row.forEach((cell, c) => {
        const right = 200 + c * 100;
        page.drawText(cell, { x: c ? right - font.widthOfTextAtSize(cell, 10) : 60, y: 700 - r * 15, size: 10, font });
      }),
    );
    wrap(AFTER, font, 10, 480).forEach((l, i) => page.drawText(l, { x: 60, y: 600 - i * 13, size: 10, font }));
    e = await extract('table.pdf', await pdf.save());
  });

  it('each row is a line of its own, its cells separated by tabs, between the two paragraphs', () => {
    const rows = ROWS.map((r) => r.join('\t'));
    const at = [BEFORE, ...rows, AFTER].map((p) => e.text.indexOf(p));
    for (const [i, p] of [BEFORE, ...rows, AFTER].entries()) expect(at[i], p).toBeGreaterThanOrEqual(0);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    for (const r of rows) expect(e.text).toContain(`\n\n${r}\n\n`);
  });

  it('no cell is quoted: the paragraphs are chunks of their own, the rows in none', () => {
    const chunks = chunksOf(e);
    expect(chunks).toEqual([BEFORE, AFTER]);
  });
});

describe('a table with a column of text', () => {
  const ROWS = [
    ['Project', 'Budget', 'Notes'],
    ['Bridge repair', '2.1m', 'Work starts in May after the river level falls'],
    ['New library', '4.5m', 'Delayed by a year because of rising costs'],
    ['Bus lanes', '0.8m', 'Opposed by shop owners on the high street'],
  ];
  const BEFORE = 'Projects approved by the council this year are listed below with their budgets.';
  const AFTER = 'The council will review all three projects again in the autumn.';
  let e: Extracted;
  beforeAll(async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    const page = pdf.addPage([595, 842]);
    page.drawText(BEFORE, { x: 50, y: 760, size: 10, font });
    ROWS.forEach((row, r) =>
      row.forEach((cell, c) => page.drawText(cell, { x: [50, 160, 230][c]!, y: 720 - r * 14, size: 10, font })),
    );
    page.drawText(AFTER, { x: 50, y: 640, size: 10, font });
    e = await extract('projects.pdf', await pdf.save());
  });

  it('a row may be quoted, but only as itself: no chunk runs two rows together or a row into the prose', () => {
    for (const r of ROWS) expect(e.text).toContain(`\n\n${r.join('\t')}\n\n`);
    const chunks = chunksOf(e);
    expect(chunks).toContain(BEFORE);
    expect(chunks).toContain(AFTER);
    for (const c of chunks) {
      if (c.includes('\t'))
        expect(
          ROWS.map((r) => r.join('\t')),
          c,
        ).toContain(c);
      else for (const r of ROWS.slice(1)) expect(c, c).not.toContain(r[2]);
    }
  });
});

describe('through a real index', () => {
  let dir: string;
  let engine: Engine;
  beforeAll(async () => {
    dir = await tempDir('quotebot-pdf-layout-');
    await mkdir(path.join(dir, 'corpus'));
    await writeFile(
      path.join(dir, 'corpus', 'news.pdf'),
      await columnsPdf({ columns: [FLOOD, MUSIC], order: 'rows', offset: 0 }),
    );
    engine = await openEngine({
      corpusDir: path.join(dir, 'corpus'),
      indexDir: path.join(dir, 'index'),
      embedder: 'use-lite',
    });
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('answers from one column with a quote that is a slice of the stored text and holds nothing of the other', async () => {
    const answer = await engine.ask('When will the new chief conductor lead her first concert?');
    expect(answer.answered).toBe(true);
    const stored = engine.documentText('news.pdf')!.text;
    for (const c of answer.citations) {
      expect(c.quote).toBe(stored.slice(c.start, c.end));
      expect(c.quote).not.toMatch(MARKERS.flood);
    }
    expect(answer.citations.map((c) => c.quote).join(' ')).toContain(
      'She will lead her first concert in the autumn season',
    );
  });
});
