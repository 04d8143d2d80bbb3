// mp-bench: the Swift side of `make bench`. `mp-bench <workload>` runs one workload and prints
// one JSON line, {"value": <number>, "unit": "<unit>"}, as the Python and Node.js sides do;
// `mp-bench --list` prints the workloads this build has. bench/run.py drives it.
import Glibc

/// Every workload of this build, one file per area of the library.
let workloads: [Workload] = ProcessBench.workloads + QueueBench.workloads + PipeBench.workloads
    + LockBench.workloads + PoolBench.workloads + TraceBench.workloads + ManagerBench.workloads

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    printError("usage: mp-bench <workload> | --list")
    exit(2)
}
if arguments[1] == "--list" {
    for workload in workloads { print(workload.name) }
    exit(0)
}
guard let workload = workloads.first(where: { $0.name == arguments[1] }) else {
    printError("unknown workload \(arguments[1]); known: \(workloads.map(\.name).joined(separator: ", "))")
    exit(2)
}
do {
    try workload.run()
} catch {
    printError("\(workload.name) failed: \(error)")
    exit(1)
}
