// Lint rules: typescript-eslint's recommended set plus the house limits (line length, file length, no comma sequences).
// Formatting is Prettier's job (`npm run format`); these rules catch what a formatter cannot.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'index/', 'coverage/', 'tmp/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-sequences': 'error',
      'max-len': [
        'error',
        { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts', 'commands/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 400 }] },
  },
);
