import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../src/ingest/chunk.js';
import { cleanDocument } from '../src/ingest/clean/clean.js';
import { sha256 } from '../src/ingest/load.js';
import type { Document } from '../src/core/types.js';

const doc = (id: string, text: string): Document => ({ id, text, hash: sha256(text), meta: {} });

/** A markdown note with hard-wrapped paragraphs, a section heading, a list and a share line. */
const NOTE = `# Harbour ferry strike ends after three days

*Published 4 March 2025*

Ferry crews returned to work on Thursday after the union and the operator agreed
a 4 percent pay rise, ending a three-day strike that stranded thousands of
commuters.

"We got what we came for," said union steward Mara Lind. "The crews can go home
with their heads high."

## What changes

- Pay rises 4 percent from April.
- Night shifts get a new allowance.

The operator said timetables would be back to normal by the weekend.

[Share on Twitter](https://example.com) | [Subscribe](https://example.com/sub)
`;

describe('markdown and hard-wrapped text', () => {
  const clean = cleanDocument(doc('note.md', NOTE));
  const sentences = chunkDocument(clean, 0).flatMap((c) => c.sentences.map((s) => NOTE.slice(s.start, s.end)));

  it('takes the first heading as the title, without its # marks', () => {
    expect(clean.title).toBe('Harbour ferry strike ends after three days');
  });

  it('joins hard-wrapped lines into one sentence, quoting the original line breaks', () => {
    expect(sentences[0]).toBe(
      'Ferry crews returned to work on Thursday after the union and the operator agreed\na 4 percent pay rise, ending a three-day strike that stranded thousands of\ncommuters.',
    );
    expect(sentences).toContain('"The crews can go home\nwith their heads high."');
  });

  it('keeps the paragraph after a section heading and list, and drops the share line', () => {
    expect(sentences).toContain('The operator said timetables would be back to normal by the weekend.');
    expect(sentences.join(' ')).not.toMatch(/Share on Twitter|Subscribe|## What changes/);
  });
});
