/**
 * The redeploy leak check every node suite runs: deploy once to warm up, count what the process
 * holds open, deploy `times` more, and require the counts back near the baseline.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';

/** Open handles by kind (TCPSocketWrap, Timeout, …) plus open file descriptors (`fd`). */
export function openResources(): Record<string, number> {
  const counts: Record<string, number> = { fd: readdirSync('/proc/self/fd').length };
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function assertNoLeakAfterRedeploys(
  deployOnce: () => Promise<void>,
  kinds: string[] = ['TCPSocketWrap', 'TLSWrap', 'Timeout', 'Immediate'],
  times = 100,
): Promise<void> {
  await deployOnce();
  await pause(300);
  const baseline = openResources();
  for (let i = 0; i < times; i++) await deployOnce();
  await pause(500);
  const after = openResources();
  for (const kind of kinds) {
    assert.ok(
      (after[kind] ?? 0) <= (baseline[kind] ?? 0) + 2,
      `${kind} after ${times} redeploys: ${baseline[kind] ?? 0} → ${after[kind] ?? 0}`,
    );
  }
  assert.ok(after.fd <= baseline.fd + 4, `file descriptors: ${baseline.fd} → ${after.fd}`);
}
