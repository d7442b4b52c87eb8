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
      // A hyphen escaped inside a character class reads as a literal at a glance; the escape is harmless.
      'no-useless-escape': 'off',
      'max-len': [
        'error',
        { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Test code reads untyped JSON from the fake Discord; `any` there is honest.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    files: ['src/**/*.ts', 'commands/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 400 }] },
  },
);
