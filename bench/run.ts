/**
 * `npm run bench`: every benchmark, or the ones named (`npm run bench -- motif-action`).
 * Each prints its numbers next to a baseline measured in the same run. A list of numbers chooses
 * the sizes of the scale benchmark (`npm run bench -- scale 10,50`, as SCALE_N does).
 */
import { benchAivero } from './aivero';
import { benchAiveroClient } from './aivero-client';
import { benchExperiment } from './experiment';
import { benchFleet } from './fleet';
import { benchMotifAction } from './motif-action';
import { benchMotifStream } from './motif-stream';
import { benchRemotive } from './remotive';
import { benchScale } from './scale';
import { benchSchedule } from './schedule';

const benches: Record<string, () => Promise<void>> = {
  aivero: benchAivero,
  'aivero-client': benchAiveroClient,
  experiment: benchExperiment,
  fleet: benchFleet,
  'motif-action': benchMotifAction,
  'motif-stream': benchMotifStream,
  remotive: benchRemotive,
  scale: benchScale,
  schedule: benchSchedule,
};

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).filter((arg) => /^\d+(,\d+)*$/.test(arg));
  if (sizes.length) process.env.SCALE_N = sizes.join(',');
  const wanted = process.argv.slice(2).filter((arg) => !sizes.includes(arg));
  const names = wanted.length ? wanted : Object.keys(benches);
  for (const name of names) {
    const bench = benches[name];
    if (!bench) throw new Error(`unknown benchmark ${name} (known: ${Object.keys(benches).join(', ')})`);
    await bench();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
