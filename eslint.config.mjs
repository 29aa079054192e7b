// Lint configuration: typescript-eslint's recommended rules for sources, tests and benches, and
// ESLint's recommended rules for the editor code that runs in the browser: the shared module
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
    ignores: ['dist/**', 'node_modules/**', 'nodes/*/*.js', '.cache/**', 'bin/**', 'scripts/*.js'],
  },
  {
    files: ['**/*.ts', '*.mjs'],
    extends: [...tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
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
