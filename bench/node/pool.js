'use strict';
// Pool workloads (issue 3), the Node.js way: a small pool of worker_threads. Tasks name a
// function the worker script knows (workers cannot receive closures) and carry their items.
const { Worker, isMainThread, parentPort } = require('worker_threads');
const { now, emit, main } = require('./common');

const functions = {
  square: (x) => x * x,
  // CPU-bound task: a 32-bit linear congruential step and an xor-shift, `steps` times.
  spin: (steps) => {
    let x = steps | 0;
    for (let i = 0; i < steps; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) | 0;
      x ^= x >>> 13;
    }
    return x;
  },
};

if (!isMainThread) {
  // A task is [id, function name, items]; the reply is [id, results].
  parentPort.on('message', ([id, name, items]) => {
    const f = functions[name];
    parentPort.postMessage([id, items.map(f)]);
  });
} else {
  // MARK: - A minimal worker pool

  class WorkerPool {
    constructor(size) {
      this.workers = [];
      this.pending = new Map();
      this.nextId = 0;
      this.turn = 0;
      for (let i = 0; i < size; i++) {
        const w = new Worker(__filename);
        w.on('message', ([id, results]) => {
          const resolve = this.pending.get(id);
          this.pending.delete(id);
          resolve(results);
        });
        this.workers.push(w);
      }
    }

    // Runs f over items in one task on the next worker (round robin); resolves to the results.
    run(name, items) {
      const id = this.nextId++;
      const w = this.workers[this.turn++ % this.workers.length];
      return new Promise((resolve) => {
        this.pending.set(id, resolve);
        w.postMessage([id, name, items]);
      });
    }

    // Ordered map in chunks; Python's default chunk size when none is given.
    async map(name, items, chunkSize) {
      const size = chunkSize || Math.max(1, Math.ceil(items.length / (4 * this.workers.length)));
      const parts = [];
      for (let i = 0; i < items.length; i += size) parts.push(this.run(name, items.slice(i, i + size)));
      return (await Promise.all(parts)).flat();
    }

    close() { return Promise.all(this.workers.map((w) => w.terminate())); }
  }

  const range = (n) => Array.from({ length: n }, (_, i) => i);

  // MARK: - Workloads

  // Ordered map over tiny items; the median of five maps (each takes only milliseconds).
  async function poolMap(count = 200000, rounds = 5) {
    const pool = new WorkerPool(2);
    await pool.map('square', range(100));
    const items = range(count);
    const times = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = now();
      const result = await pool.map('square', items);
      times.push(now() - t0);
      if (result[count - 1] !== (count - 1) ** 2) throw new Error('wrong result');
    }
    await pool.close();
    times.sort((a, b) => a - b);
    emit(count / times[Math.floor(rounds / 2)], 'tasks/s');
  }

  // One message per item (chunk size 1), results consumed in order.
  async function poolImap1(count = 20000) {
    const pool = new WorkerPool(2);
    await pool.map('square', range(100));
    const t0 = now();
    const pending = range(count).map((i) => pool.run('square', [i]));
    let total = 0;
    for (const p of pending) total += (await p)[0];
    const elapsed = now() - t0;
    await pool.close();
    emit(count / elapsed, 'tasks/s');
  }

  async function cpuSpeedup(tasks = 8, steps = 25000000) {
    const pool = new WorkerPool(2);
    const inputs = range(tasks).map((i) => steps + i);
    await pool.map('spin', [steps, steps], 1);
    functions.spin(steps);
    const t0 = now();
    const serial = inputs.map(functions.spin);
    const t1 = now();
    const parallel = await pool.map('spin', inputs, 1);
    const t2 = now();
    if (serial.join() !== parallel.join()) throw new Error('results differ');
    await pool.close();
    emit((t1 - t0) / (t2 - t1), 'x', { serial_s: t1 - t0, pool_s: t2 - t1 });
  }

  // Create a pool of 2 workers, map 10 tiny items, terminate it; ms per round.
  async function poolCreate(rounds = 10) {
    const t0 = now();
    for (let r = 0; r < rounds; r++) {
      const pool = new WorkerPool(2);
      await pool.map('square', range(10));
      await pool.close();
    }
    emit((now() - t0) / rounds * 1e3, 'ms');
  }

  main({
    'pool-map': () => poolMap(),
    'pool-imap1': () => poolImap1(),
    'cpu-speedup': () => cpuSpeedup(),
    'pool-create': () => poolCreate(),
  });
}
