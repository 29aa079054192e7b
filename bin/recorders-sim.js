#!/usr/bin/env node
'use strict';
// The package's simulator CLI: `npx recorders-sim <backend> [--option value …]`.
require('../dist/src/simulators/cli.js').main(process.argv.slice(2));
