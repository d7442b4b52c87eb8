import { openEngine } from './src/engine/open.js';
const e = await openEngine({ corpusDir: 'seeds', indexDir: '/tmp/convo-idx/seeds', embedder: 'use-lite' });
for (const q of ['what about verification? (Lavrov)', 'what about verification, Lavrov?', 'Lavrov: what about verification?', 'what about verification', 'and the guarantees? (Lavrov)', 'and the guarantees?', 'what about the information centers? (Rasmussen)']) {
  const a = await e.ask(q);
  console.log(q, a.answered, a.citations.map((c) => c.score + ' ' + c.quote.slice(0, 90)).join(' | '));
}
