// Shared ESLint flat config (ESLint 9 + typescript-eslint 8), re-exported by the root eslint.config.js.
// Rules are tuned for numeric TensorFlow.js code: indexed reads under noUncheckedIndexedAccess need `!`
// or `as number`, vector fields often ignore `t` or `args`, and tests poke at internals.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '**/.turbo/**',
      'docs/api/**',
      'apps/benchmarks/results/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node, ...globals.browser },
    },
    linterOptions: { reportUnusedDisableDirectives: 'warn' },
    rules: {
      // `x[i]!` is the honest way to read a checked index under noUncheckedIndexedAccess.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Unused parameters are common in vector fields `(t, y, args) => ...`; prefix with _ to silence.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // verbatimModuleSyntax already makes tsc reject value imports of pure types.
      '@typescript-eslint/consistent-type-imports': 'off',
      // Butcher tableaus and reference constants are written with all their published digits.
      'no-loss-of-precision': 'off',
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      '@typescript-eslint/no-explicit-any': 'warn',
      // Numeric loops use `let` counters and constants like 1e-7; these are fine.
      'prefer-const': ['error', { destructuring: 'all' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      // Float comparisons in numeric code (x !== x for NaN checks) are deliberate.
      'no-self-compare': 'off',
      eqeqeq: ['error', 'smart'],
      // `/// <reference path="./untyped-dep.d.ts" />` is how ambient types for untyped dependencies are pulled in.
      '@typescript-eslint/triple-slash-reference': ['error', { path: 'always', types: 'prefer-import', lib: 'always' }],
    },
  },
  {
    files: ['**/test/**/*.ts', '**/*.test.ts', '**/*.bench.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
