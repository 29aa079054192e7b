/**
 * The package's `main`, for use from code rather than from flows: the three backend clients, each
 * through its one public door. Node-RED itself loads the node files listed in package.json
 * `node-red.nodes`, not this.
 */
export * as motif from './backends/motif';
export * as remotive from './backends/remotive';
export * as aivero from './backends/aivero';
