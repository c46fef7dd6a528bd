// Lint policy: a floating promise or a switch that misses a case is a bug in
// failover code, so both are errors, not warnings.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'buildroot/**',
      'images/out/**',
      'dist/**',
      '**/*.js',
      '**/*.cjs',
      // Generated code (tools/gen-config-checks.ts: Ajv's output), checked against its generator instead.
      '**/*.generated.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'no-console': 'off',
    },
  },
  {
    // The image runs these under node --lite-mode, without WebAssembly. An
    // ESM import of node:http builds its facade from every export, and
    // http.WebSocket's getter then loads undici, which compiles its parser
    // as WebAssembly: a process that cannot start (firmware/web/main.ts).
    files: ['firmware/**/*.ts', 'hal/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        ...['node:http', 'http'].map((name) => ({
          name,
          allowTypeImports: true,
          message:
            "loads undici (WebAssembly) through http.WebSocket: use process.getBuiltinModule('node:http')",
        })),
      ],
    },
  },
);
