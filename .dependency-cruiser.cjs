/**
 * The house rules for imports (run by `npm run lint`): the stages of src/ form one pipeline and
 * imports run one way, from a later stage to an earlier one, never back; no import circles; the edges
 * (discord, cli, eval) do not lean on each other; src/ never reaches commands/, scripts/ or test/.
 * ARCHITECTURE.md draws the same order in words.
 */
const LAYERS = [
  'core',
  'ops',
  'text',
  'embed',
  'ingest',
  'db',
  'index',
  'retrieve',
  'answer',
  'engine',
  'live',
  'feedback',
  'message',
];
const EDGES = ['discord', 'cli', 'eval'];

const layerRules = LAYERS.map((layer, i) => ({
  name: `${layer}-not-upward`,
  comment: `src/${layer} is stage ${i + 1}: it may import only earlier stages (${LAYERS.slice(0, i).join(', ') || 'none'}).`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${[...LAYERS.slice(i + 1), ...EDGES].join('|')})/` },
}));
const edgeRules = EDGES.map((edge) => ({
  name: `${edge}-not-other-edges`,
  comment: `src/${edge} is an edge: it uses the stages, not the other edges.`,
  severity: 'error',
  from: { path: `^src/${edge}/` },
  to: { path: `^src/(${EDGES.filter((e) => e !== edge).join('|')})/` },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    ...layerRules,
    ...edgeRules,
    {
      name: 'discord-js-at-the-edge',
      comment:
        'Only src/discord, commands/ and scripts/ talk to discord.js; the stages and the console stay platform-neutral.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/discord/' },
      to: { path: 'node_modules/discord\\.js/' },
    },
    {
      name: 'src-not-outward',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(commands|scripts|test)/' },
    },
    {
      name: 'no-test-code-in-the-build',
      comment: 'commands/ and scripts/ are compiled into dist/; test code stays out of it.',
      severity: 'error',
      from: { path: '^(commands|scripts)/' },
      to: { path: '^test/' },
    },
    {
      name: 'src-folders-only',
      comment: 'Every source file lives in a stage folder or an edge.',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$' },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
