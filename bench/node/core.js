'use strict';
// Core workloads (issue 2), the Node.js way: child_process.fork for processes and IPC,
// worker_threads postMessage for 1 KiB messages, SharedArrayBuffer + Atomics for a mutex.
const { fork } = require('child_process');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const { now, emit, main } = require('./common');

// MARK: - Worker and child roles (this file is also the worker script and the child program)

// A mutex on a[0] (0 free, 1 locked, 2 locked with waiters), protecting the counter a[1].
function lock(a) {
  let c = Atomics.compareExchange(a, 0, 0, 1);
  if (c === 0) return;
  if (c !== 2) c = Atomics.exchange(a, 0, 2);
  while (c !== 0) {
    Atomics.wait(a, 0, 2);
    c = Atomics.exchange(a, 0, 2);
  }
}

function unlock(a) {
  if (Atomics.sub(a, 0, 1) !== 1) {
    Atomics.store(a, 0, 0);
    Atomics.notify(a, 0, 1);
  }
}

if (!isMainThread) {
  const { role, count, buffer } = workerData;
  parentPort.once('message', () => {
    if (role === 'post-1k') {
      // A 1 KiB string: the faster of the two ways to post 1 KiB (structured clone of a
      // string is a copy of its bytes; of a typed array it also builds the array object).
      const payload = 'x'.repeat(1024);
      for (let i = 0; i < count; i++) parentPort.postMessage(payload);
    } else if (role === 'post-1k-typed') {
      const payload = new Uint8Array(1024).fill(120);
      for (let i = 0; i < count; i++) parentPort.postMessage(payload);
    } else if (role === 'increment') {
      const a = new Int32Array(buffer);
      for (let i = 0; i < count; i++) {
        lock(a);
        a[1] += 1;
        unlock(a);
      }
      parentPort.postMessage('done');
    }
  });
} else if (process.argv[2] === 'child-noop') {
  // A child that ends at once.
} else if (process.argv[2] === 'child-send') {
  const count = Number(process.argv[3]);
  process.send('ready');
  process.once('message', () => {
    for (let i = 0; i < count; i++) process.send(i);
    process.send('end', () => process.disconnect());
  });
} else if (process.argv[2] === 'child-send-big') {
  const count = Number(process.argv[3]);
  const payload = Buffer.alloc(Number(process.argv[4]), 120);
  process.send('ready');
  process.once('message', () => {
    let left = count;
    const next = () => {
      if (left-- === 0) { process.disconnect(); return; }
      process.send(payload, next);
    };
    next();
  });
} else {
  // MARK: - Workloads

  // child_process.fork of a program that ends at once, until its 'exit'; ms per cycle.
  async function processStart(count = 6) {
    const once = () => new Promise((resolve) => fork(__filename, ['child-noop']).on('exit', resolve));
    await once();
    const t0 = now();
    for (let i = 0; i < count; i++) await once();
    emit((now() - t0) / count * 1e3, 'ms');
  }

  // Small ints from a forked child to the parent over the IPC channel (the Queue analogue).
  // The clock starts when the child says it is ready, so Node's start-up is not counted.
  function ipcSmall(count = 100000) {
    return new Promise((resolve) => {
      const child = fork(__filename, ['child-send', String(count)]);
      let seen = 0;
      let t0 = 0;
      child.on('message', (m) => {
        if (m === 'ready') { t0 = now(); child.send('go'); return; }
        if (m === 'end') {
          if (seen !== count) throw new Error(`lost messages: ${seen}`);
          emit(count / (now() - t0), 'msgs/s');
          return;
        }
        seen++;
      });
      child.on('exit', resolve);
    });
  }

  // 50 MB Buffers from a forked child to the parent over the IPC channel; ms per item.
  function ipcBig(count = 5, size = 50000000) {
    return new Promise((resolve) => {
      const child = fork(__filename, ['child-send-big', String(count), String(size)], { serialization: 'advanced' });
      let seen = 0;
      let t0 = 0;
      child.on('message', (m) => {
        if (m === 'ready') { t0 = now(); child.send('go'); return; }
        if (m.length !== size) throw new Error(`item of ${m.length} bytes`);
        if (++seen === count) emit((now() - t0) / count * 1e3, 'ms');
      });
      child.on('exit', resolve);
    });
  }

  // 1 KiB messages posted from a worker thread to the main thread (`role`: a string or a
  // Uint8Array).
  function workerPost1k(role, count = 200000) {
    return new Promise((resolve, reject) => {
      const worker = new Worker(__filename, { workerData: { role, count } });
      let seen = 0;
      let t0 = 0;
      worker.on('message', () => {
        if (++seen === count) {
          emit(count / (now() - t0), 'msgs/s');
          worker.terminate().then(resolve);
        }
      });
      worker.on('error', reject);
      worker.on('online', () => { t0 = now(); worker.postMessage('go'); });
    });
  }

  // Two worker threads increment a counter in a SharedArrayBuffer under an Atomics mutex.
  async function lockedCounter(perWorker = 5000000) {
    const buffer = new SharedArrayBuffer(8);
    const workers = [0, 1].map(() => new Worker(__filename, { workerData: { role: 'increment', count: perWorker, buffer } }));
    await Promise.all(workers.map((w) => new Promise((r) => w.on('online', r))));
    const done = workers.map((w) => new Promise((r) => w.once('message', r)));
    const t0 = now();
    workers.forEach((w) => w.postMessage('go'));
    await Promise.all(done);
    const elapsed = now() - t0;
    const total = new Int32Array(buffer)[1];
    if (total !== 2 * perWorker) throw new Error(`counter ${total}`);
    await Promise.all(workers.map((w) => w.terminate()));
    emit(2 * perWorker / elapsed, 'ops/s');
  }

  main({
    'process-start': () => processStart(),
    'queue-small': () => ipcSmall(),
    'queue-1k': () => workerPost1k(),
    'queue-50mb': () => ipcBig(),
    'queue-1k': () => workerPost1k('post-1k'),
    'queue-1k-typed': () => workerPost1k('post-1k-typed'),
    'locked-counter': () => lockedCounter(),
  });
}
