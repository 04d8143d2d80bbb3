'use strict';
// Shared helpers for the Node.js side of `make bench`. Every workload prints exactly one JSON
// line on standard output, {"value": <number>, "unit": "<unit>"}, which run.py reads.

const now = () => Number(process.hrtime.bigint()) / 1e9;

function emit(value, unit, detail) {
  process.stdout.write(JSON.stringify(detail ? { value, unit, detail } : { value, unit }) + '\n');
}

// Runs the workload named by the first argument (an async function); `--list` prints the names.
function main(workloads) {
  const name = process.argv[2];
  if (name === '--list') {
    console.log(Object.keys(workloads).join('\n'));
    return;
  }
  const run = workloads[name];
  if (!run) {
    console.error(`unknown workload ${JSON.stringify(name)}; known: ${Object.keys(workloads).join(', ')}`);
    process.exit(2);
  }
  Promise.resolve(run()).then(
    () => process.exit(0),
    (err) => { console.error(err); process.exit(1); },
  );
}

module.exports = { now, emit, main };
