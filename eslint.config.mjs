// Lint configuration: typescript-eslint's recommended rules for sources, tests and benches, with
// type-aware rules for promises, switches and assertions; ESLint's recommended rules for the Node
// scripts (scripts/, bin/) and for the editor code that runs in the browser: the shared module
// (resources/*.js) and the inline <script type="text/javascript"> blocks of every nodes/*/*.html.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Globals of Node-RED's editor page. */
const editorGlobals = {
  ...globals.browser,
  RED: 'readonly',
  $: 'readonly',
  jQuery: 'readonly',
  RecordersEditor: 'readonly',
};

/**
 * Lints the editor scripts inside a node's HTML: each `<script type="text/javascript">` block is a
 * file of its own; every other line is blanked so reported lines match the HTML file.
 */
const editorHtml = {
  meta: { name: 'recorders-editor-html' },
  preprocess(text) {
    const blocks = [];
    const pattern = /(<script type="text\/javascript">)([\s\S]*?)<\/script>/g;
    let match;
    while ((match = pattern.exec(text)) !== null) {
      const before = text.slice(0, match.index + match[1].length);
      const padding = before.replace(/[^\n]/g, '');
      blocks.push({ text: padding + match[2], filename: `${blocks.length}.js` });
    }
    return blocks;
  },
  postprocess(messages) {
    return messages.flat();
  },
  supportsAutofix: false,
};

const editorRules = {
  ...js.configs.recommended.rules,
  'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }],
  eqeqeq: ['error', 'always', { null: 'ignore' }],
  // Markup from strings is how server text becomes script: build elements with jQuery instead.
  'no-restricted-properties': [
    'error',
    { property: 'innerHTML', message: 'use .text() or build elements with jQuery' },
    { property: 'outerHTML', message: 'use .text() or build elements with jQuery' },
    { object: 'document', property: 'write', message: 'build elements with jQuery' },
  ],
  'no-restricted-syntax': [
    'error',
    {
      selector: "CallExpression[callee.property.name='html'][arguments.length>0]",
      message: 'use .text() or build elements with jQuery',
    },
    {
      selector: "CallExpression[callee.object.name='RED'][callee.property.name='notify']",
      message: 'RED.notify renders HTML: use RecordersEditor.notify, which escapes',
    },
  ],
};

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'nodes/*/*.js', '.cache/**'],
  },
  {
    files: ['**/*.ts', '*.mjs'],
    extends: [...tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Node-RED's idiom: a node's constructor calls its `this` node.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
    },
  },
  {
    // Type-aware: the compiler's view of tsconfig.json (src, test, bench).
    files: ['{src,test,bench}/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // An unhandled rejection stops Node-RED (it exits on uncaughtException), so a promise left
      // running needs a rejection handler: `void` alone does not count as one.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      // A switch with a default case handles the rest on purpose; one without must name every case.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
    },
  },
  {
    // An async function that awaits nothing costs a promise frame for nothing. Not in tests: there
    // `async () => { throw … }` and `async () => value` stand for calls that reject or resolve.
    files: ['{src,bench}/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'error' },
  },
  {
    // Build step and command-line entry: CommonJS run by Node.
    files: ['scripts/**/*.js', 'bin/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'commonjs', globals: globals.node },
    rules: js.configs.recommended.rules,
  },
  {
    files: ['resources/**/*.js'],
    languageOptions: { ecmaVersion: 2020, sourceType: 'script', globals: editorGlobals },
    rules: editorRules,
  },
  {
    files: ['nodes/*/*.html'],
    plugins: { recorders: { processors: { html: editorHtml } } },
    processor: 'recorders/html',
  },
  {
    files: ['nodes/*/*.html/*.js'],
    languageOptions: { ecmaVersion: 2020, sourceType: 'script', globals: editorGlobals },
    rules: editorRules,
  },
);
