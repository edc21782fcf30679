// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** src/handlers sees the IoT platform through its ports and domain module, never the adapter. */
const NO_IOT_CLIENT = {
  group: ['**/iot-client', '**/iot-client/**'],
  message: 'src/handlers must not import src/iot-client: use handlers/ports (IotPlatform, platform errors) and handlers/domain.',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.cdc/', 'bench/results/', 'chaos/results/', 'test-artifacts/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/config/ reads process.env; pass options down.' },
      ],
    },
  },
  {
    // The reconcile core sees the IoT platform through its ports and domain module only;
    // src/iot-client is the adapter and depends on the core, never the reverse (issue 17).
    files: ['src/handlers/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_IOT_CLIENT,
            { group: ['axios', 'kafkajs'], message: 'src/handlers sees the platform through handlers/ports and never Kafka (docs/architecture.md).' },
          ],
        },
      ],
    },
  },
  {
    // The plan phase and the domain module are pure: TypeORM is used only by the phases that read or
    // write the database (load, apply, write-back, work-set, store), as docs/architecture.md decides.
    files: ['src/handlers/plan/**', 'src/handlers/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_IOT_CLIENT,
            { group: ['axios', 'kafkajs', 'typeorm', 'mysql2', 'mysql2/*'], message: 'plan/ and domain/ are pure: the database is read in load/ and written in write-back/ (docs/architecture.md).' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/config/**', 'test/**', 'bench/**', 'chaos/**', 'scripts/**', '*.js', '*.mjs'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
  },
);
