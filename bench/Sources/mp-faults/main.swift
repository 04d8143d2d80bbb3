import Glibc
import Multiprocessing

// mp-faults: the fault and leak suite behind `make faults`.
//
// Each case runs in a fresh copy of this program (`mp-faults --case NAME`), in a process
// group of its own, under its own timeout: a hung case is killed with its whole tree and
// reported as FAIL, so the suite always ends. One line per case: name, PASS/FAIL, figure.
//
//   mp-faults                 run every case
//   mp-faults NAME...         run the named cases
//   mp-faults --list          list the cases
//   (--case, --parent and --manager-client start the copies some cases run)

struct FaultCase {
    let name: String
    let timeout: Double
    let body: () throws -> String
}

func faultCases() -> [FaultCase] { [
    FaultCase(name: "kill-join-1000", timeout: 60, body: killJoinCycles),
    FaultCase(name: "pool-kill-map", timeout: 10) { try poolWorkerKilled(during: .map) },
    FaultCase(name: "pool-kill-imap", timeout: 10) { try poolWorkerKilled(during: .imap) },
    FaultCase(name: "pool-kill-applyAsync", timeout: 10) { try poolWorkerKilled(during: .applyAsync) },
    FaultCase(name: "executor-kill-submit", timeout: 10, body: executorWorkerKilled),
    FaultCase(name: "holder-killed-lock", timeout: 10) { try holderKilled(.lock) },
    FaultCase(name: "holder-killed-rlock", timeout: 10) { try holderKilled(.rlock) },
    FaultCase(name: "holder-killed-semaphore", timeout: 10) { try holderKilled(.semaphore) },
    FaultCase(name: "holder-killed-condition", timeout: 10) { try holderKilled(.condition) },
    FaultCase(name: "parent-killed-daemons", timeout: 10) { try parentKilled(.daemons) },
    FaultCase(name: "parent-killed-pool", timeout: 10) { try parentKilled(.pool) },
    FaultCase(name: "parent-killed-manager", timeout: 10) { try parentKilled(.manager) },
    FaultCase(name: "manager-killed-5-clients", timeout: 15, body: managerKilledUnderClients),
    FaultCase(name: "manager-1gib-before-auth", timeout: 20, body: managerHugeLengthBeforeAuthentication),
    FaultCase(name: "manager-200-hostile", timeout: 30, body: managerHostileConnections),
    FaultCase(name: "manager-2000-idle", timeout: 30, body: managerIdleConnections),
    FaultCase(name: "manager-message-over-limit", timeout: 15, body: managerMessageOverLimit),
    FaultCase(name: "manager-unrelated-client", timeout: 20, body: managerUnrelatedClient),
    FaultCase(name: "queue-flood-then-exit", timeout: 15, body: queueFloodThenExit),
    FaultCase(name: "queue-flood-full-ring", timeout: 20, body: queueFloodFullRing),
    FaultCase(name: "eintr-queue-get", timeout: 10) { try signalsDuring(.queueGet) },
    FaultCase(name: "eintr-connection-recv", timeout: 10) { try signalsDuring(.connectionRecv) },
    FaultCase(name: "eintr-lock-acquire", timeout: 10) { try signalsDuring(.lockAcquire) },
    FaultCase(name: "eintr-process-join", timeout: 10) { try signalsDuring(.processJoin) },
    FaultCase(name: "fork-while-threaded", timeout: 90, body: forkWhileThreaded),
] }

func padded(_ text: String, to width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

/// Runs one case in this process and prints its line.
func runCaseHere(_ name: String) -> Int32 {
    guard let faultCase = faultCases().first(where: { $0.name == name }) else {
        print("\(padded(name, to: 26)) FAIL  unknown case")
        return 2
    }
    do {
        let figure = try faultCase.body()
        print("\(padded(name, to: 26)) PASS  \(figure)")
        fflush(nil)
        return 0
    } catch {
        print("\(padded(name, to: 26)) FAIL  \(error)")
        fflush(nil)
        return 1
    }
}

/// Runs one case in a fresh copy of this program, killing its process group on timeout.
func runCaseIsolated(_ faultCase: FaultCase) -> Bool {
    let started = nowNanoseconds()
    let child: Spawned
    do {
        child = try Spawned(arguments: ["--case", faultCase.name], newGroup: true)
    } catch {
        print("\(padded(faultCase.name, to: 26)) FAIL  \(error)")
        return false
    }
    defer { close(child.output) }
    var lines: [String] = []
    var timedOut = false
    while true {
        let left = faultCase.timeout - Double(nowNanoseconds() - started) / 1e9
        if left <= 0 { timedOut = true; break }
        guard let line = child.readLine(within: left) else {
            if Double(nowNanoseconds() - started) / 1e9 >= faultCase.timeout { timedOut = true }
            break
        }
        lines.append(line)
    }
    if timedOut {
        kill(-child.pid, SIGKILL)
        _ = child.reap(within: 2)
        for line in lines { print(line) }
        print("\(padded(faultCase.name, to: 26)) FAIL  no result within \(Int(faultCase.timeout)) s: killed (a hang)")
        return false
    }
    let status = child.reap(within: 5)
    kill(-child.pid, SIGKILL)  // anything the case left behind
    for line in lines { print(line) }
    let passed = status.map { ($0 & 0x7f) == 0 && (($0 >> 8) & 0xff) == 0 } ?? false
    if !passed && !lines.contains(where: { $0.contains(" FAIL ") }) {
        print("\(padded(faultCase.name, to: 26)) FAIL  case process ended with wait status \(status.map(String.init) ?? "unknown")")
    }
    fflush(nil)
    return passed
}

// MARK: - Entry

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--case", arguments.count == 2 {
    exit(runCaseHere(arguments[1]))
} else if arguments.first == "--parent", arguments.count == 2 {
    runDoomedParent(arguments[1])
} else if arguments.first == "--manager-client", arguments.count == 3 {
    runUnrelatedManagerClient(port: arguments[1], key: arguments[2])
} else if arguments.first == "--list" {
    for faultCase in faultCases() { print(faultCase.name) }
} else {
    let selected = arguments.isEmpty ? faultCases() : faultCases().filter { arguments.contains($0.name) }
    let suiteStart = nowNanoseconds()
    var failed = 0
    for faultCase in selected where !runCaseIsolated(faultCase) { failed += 1 }
    print("\(selected.count - failed) passed, \(failed) failed in \(format(milliseconds(since: suiteStart) / 1000)) s")
    exit(failed == 0 ? 0 : 1)
}
