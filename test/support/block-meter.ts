/**
 * The longest time the event loop was busy without a break. A 10 ms ticker measures each gap; a gap
 * counts as a block only for as long as the process also used CPU in it, so a machine so loaded
 * that this process waits for a core is not mistaken for our code blocking the loop.
 */
export class BlockMeter {
  maxBlockMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private onTick: (() => void) | undefined;

  enable(): void {
    let wall = performance.now();
    let cpu = process.cpuUsage();
    this.timer = setInterval(() => {
      const nowWall = performance.now();
      const used = process.cpuUsage(cpu);
      const gap = nowWall - wall - 10;
      const busy = (used.user + used.system) / 1000;
      this.maxBlockMs = Math.max(this.maxBlockMs, Math.min(gap, busy));
      wall = nowWall;
      cpu = process.cpuUsage();
      this.onTick?.();
    }, 10);
  }

  disable(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Stops after one more tick, so a block that ended just now (work that finished in promise
   * callbacks, before any timer could run) is counted too; resolves with the longest block.
   */
  async stop(): Promise<number> {
    if (this.timer) await new Promise<void>((resolve) => (this.onTick = resolve));
    this.onTick = undefined;
    this.disable();
    return this.maxBlockMs;
  }
}
