/**
 * `npm run bench -- scale [N,N,…]`: one Node-RED driving N simulated motif systems of 2 cameras
 * plus, per 10 systems, one Aivero recorder (a session) and one RemotiveLabs playback (default
 * N = 10, 50, 200; `SCALE_N=10,50` or a list after the name chooses). Each N runs in a process of
 * its own (scale-child.ts), its simulators in further processes (scale-sims.ts).
 * Goals at N = 200 (issue "scale, kept measured"): warm acknowledgement p99 < 100 ms, cold < 150 ms,
 * event-loop lag p99 < 10 ms, memory linear in the cameras.
 * Baseline in the same run: bare undici starting recording on every motif camera at once, its rounds
 * alternating with the warm node triggers under the same load (the floor of the motif part).
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { BACKENDS, type Backend } from './scale-flow';
import type { Measured, Trigger } from './scale-result';
import { fmt, median, spread } from './stats';

const LABELS: Record<Backend, string> = { motif: 'motif', aivero: 'Aivero', remotive: 'RemotiveLabs' };

function measure(n: number): Promise<Measured> {
  const file = path.join(__dirname, 'scale-child.js');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', file, String(n)],
      { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`scale N=${n} failed: ${err.message}\n${stderr.slice(-2000)}`));
        else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Measured);
      },
    );
  });
}

const WINDOW_SECONDS = Number(process.env.SCALE_WINDOW_SECONDS) || 5;
const goal = (ok: boolean): string => (ok ? 'met' : 'MISSED');

export async function benchScale(): Promise<void> {
  const wanted = (process.env.SCALE_N ?? '10,50,200').split(',').map(Number);
  console.log(
    `\nscale: one Node-RED, N motif systems × 2 cameras + per 10 systems 1 Aivero recorder (a session; all on one Aivero server) and 1 RemotiveLabs playback (a broker each); simulators in child processes (≤50 per process), Node ${process.version}`,
  );
  console.log(
    'trigger = one message fanned out to 2N motif-action "camera/<serial>/recording/start", the aivero-actions "setState Started" and the remotive-playbacks "play"; spread = message → each acknowledgement',
  );
  console.log(
    `streams = 2N state streams ("every message", 30/s each) + 20 image streams (640×480 mono, 5 fps, "latest") + an aivero-watch per session + per playback remotive-status and remotive-signals (2 signals, 20 batches/s) while it plays through the window; rounds of (a trigger after the idle window, a warm trigger at once) alternate with ${WINDOW_SECONDS} s stream windows`,
  );
  console.log('figures: median (min–max) of the rounds');
  console.log(
    `machine: ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => fmt(l, 1))
      .join(' ')} at the start`,
  );
  const results: Measured[] = [];
  for (const n of wanted) {
    const m = await measure(n);
    results.push(m);
    const mb = (bytes: number): string => fmt(bytes / 1e6, 1);
    const warmP99 = m.warm.map((w) => w.p99);
    const lag = m.windows.map((w) => w.lagP99);
    const cpu = m.windows.map((w) => w.cpu * 100);
    console.log(
      `\nN = ${m.n}: ${m.cameras} motif cameras, ${m.recorders} Aivero session${m.recorders === 1 ? '' : 's'}, ${m.playbacks} RemotiveLabs playback${m.playbacks === 1 ? '' : 's'}; all probes passed ${m.readyMs} ms after start`,
    );
    const conns = (c: Record<Backend, number>): string => `motif ${c.motif}, Aivero ${c.aivero}`;
    console.log(
      `  connections at the simulators (motif TLS, Aivero TCP): ${conns(m.connectionsAtReady)} after the probes; ${conns(m.connectionsAfterCold)} after the cold trigger; ${conns(m.connectionsAtEnd)} at the end`,
    );
    console.log(
      `  cold trigger ack ms     p50 ${fmt(m.cold.p50, 1)}  p99 ${fmt(m.cold.p99, 1)}  max ${fmt(m.cold.max, 1)}`,
    );
    console.log(
      `  warm trigger ack ms     p50 ${spread(
        m.warm.map((w) => w.p50),
        1,
      )}  p99 ${spread(warmP99, 1)}`,
    );
    const bareP99 = m.bareWarm.map((w) => w.p99);
    const motifP99 = m.motifWarm.map((w) => w.p99);
    console.log(
      `  motif alone, warm ms    nodes p50 ${spread(
        m.motifWarm.map((w) => w.p50),
        1,
      )}  p99 ${spread(motifP99, 1)}; bare undici (baseline) p50 ${spread(
        m.bareWarm.map((w) => w.p50),
        1,
      )}  p99 ${spread(bareP99, 1)}; nodes / bare p99 = ${fmt(median(motifP99) / median(bareP99))} ×`,
    );
    console.log(
      `  after ${WINDOW_SECONDS} s idle ack ms   p50 ${spread(
        m.afterIdle.map((w) => w.p50),
        1,
      )}  p99 ${spread(
        m.afterIdle.map((w) => w.p99),
        1,
      )}`,
    );
    console.log('  ack p99 ms by backend   ' + BACKENDS.map((b) => LABELS[b]).join(' | '));
    // One trigger shows its value, several "median (min–max)".
    const byBackend = (name: string, triggers: Trigger[]): void =>
      console.log(
        `    ${name.padEnd(22)}${BACKENDS.map((b) => {
          const values = triggers.map((t) => t.backends[b].p99);
          return values.length === 1 ? fmt(values[0], 1) : spread(values, 1);
        }).join(' | ')}`,
      );
    byBackend('cold', [m.cold]);
    byBackend('warm', m.warm);
    byBackend('after idle', m.afterIdle);
    const opened = (triggers: Trigger[]): string =>
      triggers.length === 1
        ? `motif ${triggers[0].opened.motif}, Aivero ${triggers[0].opened.aivero}`
        : `motif ${spread(triggers.map((t) => t.opened.motif))}, Aivero ${spread(triggers.map((t) => t.opened.aivero))}`;
    console.log(
      `  connections opened by a trigger: cold ${opened([m.cold])}; warm ${opened(m.warm)}; after idle ${opened(m.afterIdle)}`,
    );
    const failures = [m.cold, ...m.warm, ...m.afterIdle].filter((t) => t.failed > 0);
    if (failures.length > 0)
      console.log(
        `  FAILED calls in ${failures.length} triggers (${failures.reduce((a, t) => a + t.failed, 0)} calls), e.g. ${
          failures.find((t) => t.error)?.error ?? 'a stop'
        }`,
      );
    console.log(`  event-loop lag p99 ms   ${spread(lag, 2)}`);
    console.log(
      `  CPU % of a core         ${spread(cpu, 1)}  = ${spread(
        cpu.map((c) => (c * 10) / m.cameras),
        2,
      )} ‰ of a core per camera`,
    );
    console.log(
      `  messages/s              state ${spread(m.windows.map((w) => w.statesPerS))}  image ${spread(
        m.windows.map((w) => w.imagesPerS),
      )}  signal batches ${spread(
        m.windows.map((w) => w.signalsPerS),
        1,
      )}  playback status ${spread(
        m.windows.map((w) => w.statusesPerS),
        1,
      )}; session watch messages in all ${m.sessionWatchMessages}`,
    );
    console.log(
      `  RSS MB                  ${mb(m.rssMedian)} (before Node-RED ${mb(m.rssBefore)}) = ${fmt(
        (m.rssMedian - m.rssBefore) / 1e6 / m.cameras,
        2,
      )} MB per camera`,
    );
    if (m.n === 200) {
      const p99 = warmP99.slice().sort((a, b) => a - b)[Math.floor(warmP99.length / 2)];
      const lagMedian = lag.slice().sort((a, b) => a - b)[Math.floor(lag.length / 2)];
      console.log(
        `  goals at N = 200: warm p99 < 100 ms ${goal(p99 < 100)}, cold p99 < 150 ms ${goal(m.cold.p99 < 150)}, lag p99 < 10 ms ${goal(lagMedian < 10)}`,
      );
    }
  }
  if (results.length > 1) {
    console.log('\ngrowth with N (between consecutive sizes, per added camera)');
    for (let i = 1; i < results.length; i++) {
      const a = results[i - 1];
      const b = results[i];
      const cams = b.cameras - a.cameras;
      const cpuOf = (m: Measured): number =>
        m.windows.map((w) => w.cpu).sort((x, y) => x - y)[Math.floor(m.windows.length / 2)];
      console.log(
        `  N ${a.n} → ${b.n}: RSS +${fmt((b.rssMedian - a.rssMedian) / 1e6 / cams, 2)} MB per camera, CPU +${fmt(
          ((cpuOf(b) - cpuOf(a)) * 1000) / cams,
          2,
        )} ‰ of a core per camera`,
      );
    }
  }
}
