// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'src/generated/',
      'examples/gql/',
      'test/conformance/gql/',
      'examples/generated/',
      'coverage/',
      '.scratch/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  { files: ['bench/**', 'src/main.ts'], rules: { 'no-console': 'off' } },
  // The emulators are a separate project (src/emulators/tsconfig.json) that imports nothing of the product.
  {
    files: ['src/emulators/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./){2,}',
              message: 'The emulators import nothing outside src/emulators.',
            },
          ],
        },
      ],
    },
  },
  // The product and the tests use an emulator only through its index.ts (the emulators' own tests excepted).
  {
    files: ['src/**', 'test/**', 'bench/**'],
    ignores: ['src/emulators/**', 'test/emulators/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: 'emulators/(?!(smh|dingtalk)/index\\.js$)',
              message: 'Import an emulator only through src/emulators/<name>/index.js.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bench/**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        performance: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
);
