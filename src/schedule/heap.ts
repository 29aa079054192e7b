/**
 * Indexed binary min-heap: items remember their slot, so removing or re-keying any item is O(log n).
 * The scheduler keeps one entry per active schedule here, keyed by its next firing.
 */
export interface HeapItem {
  heapKey: number;
  heapIndex: number;
}

export class IndexedHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  has(item: T): boolean {
    return item.heapIndex >= 0 && this.items[item.heapIndex] === item;
  }

  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  remove(item: T): void {
    if (!this.has(item)) return;
    const index = item.heapIndex;
    const last = this.items.pop() as T;
    item.heapIndex = -1;
    if (last === item) return;
    this.items[index] = last;
    last.heapIndex = index;
    this.down(index);
    this.up(last.heapIndex);
  }

  /** Re-positions an item after its key changed. */
  update(item: T): void {
    if (!this.has(item)) return this.push(item);
    this.up(item.heapIndex);
    this.down(item.heapIndex);
  }

  clear(): void {
    for (const item of this.items) item.heapIndex = -1;
    this.items.length = 0;
  }

  private swap(a: number, b: number): void {
    const ia = this.items[a];
    const ib = this.items[b];
    this.items[a] = ib;
    this.items[b] = ia;
    ib.heapIndex = a;
    ia.heapIndex = b;
  }

  private up(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.items[parent].heapKey <= this.items[index].heapKey) return;
      this.swap(index, parent);
      index = parent;
    }
  }

  private down(index: number): void {
    const n = this.items.length;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < n && this.items[left].heapKey < this.items[smallest].heapKey) smallest = left;
      if (right < n && this.items[right].heapKey < this.items[smallest].heapKey) smallest = right;
      if (smallest === index) return;
      this.swap(index, smallest);
      index = smallest;
    }
  }
}
