import Glibc
import Multiprocessing

// MARK: - Forking while another thread instantiates generic metadata

// The Swift runtime guards each generic type's metadata cache with a lock taken only when a
// new instantiation is created. fork() copies that lock as it is: if another thread held it
// at that instant, a child that needs a new instantiation of the same generic type waits
// forever. The churn thread below creates a new `Array<Array<…>>` depth on every call, so
// Array's cache lock is taken all the time.

nonisolated(unsafe) var churnRunning: Int32 = 1
nonisolated(unsafe) var churnDepthReached: Int = 0

/// Instantiates `[[…[T]…]]` `levels` deep (each depth is a new Array metadata).
func nest<T>(_ value: T, _ levels: Int) -> Int {
    levels == 0 ? 1 : nest([value], levels - 1) + 1
}

func startMetadataChurn() -> pthread_t {
    var thread = pthread_t()
    pthread_create(&thread, nil, { _ in
        // Each base type starts a family of its own, so instantiations stay new for longer
        // than the case runs.
        var depth = 1
        var family = 0
        while churnRunning != 0 {
            switch family {
            case 0: churnDepthReached = nest(0, depth)
            case 1: churnDepthReached = nest("", depth)
            case 2: churnDepthReached = nest(0.0, depth)
            case 3: churnDepthReached = nest(Int8(0), depth)
            default: churnDepthReached = nest(UInt16(0), depth)
            }
            depth += 1
            if depth > 3000 { depth = 1; family += 1 }
        }
        return nil
    }, nil)
    return thread
}

/// Children forked while the churn thread runs and, in the other half, children that
/// need a new Array instantiation themselves. A child that does not finish within 1 s is
/// counted as deadlocked and killed.
func forkWhileThreaded() throws -> String {
    let results = try Queue<Int>()
    _ = try? results.get(timeout: 0)  // the parent uses every type the children use, before forking
    try results.put(0)
    _ = try results.get(timeout: 1)
    let thread = startMetadataChurn()
    defer {
        churnRunning = 0
        pthread_join(thread, nil)
    }
    func run(_ count: Int, newMetadata: Bool) throws -> (hung: Int, microseconds: Double) {
        var hung = 0
        let start = nowNanoseconds()
        for index in 0..<count {
            let child = Process(name: "forked-\(index)") {
                // UInt32 is no churn family: every depth is a new Array instantiation.
                let value = newMetadata ? nest(UInt32(0), 5 + index) : index
                try results.put(value)
            }
            try child.start()
            try child.join(timeout: 1)
            if child.isAlive {
                hung += 1
                try child.kill()
                try child.join(timeout: 1)
            }
            while (try? results.get(timeout: 0)) != nil {}
        }
        return (hung, Double(nowNanoseconds() - start) / 1e3 / Double(count))
    }
    let plain = try run(300, newMetadata: false)
    let generic = try run(300, newMetadata: true)
    try expect(plain.hung == 0, "\(plain.hung) of 300 children running library code only deadlocked after a fork from a threaded parent")
    return "churn thread creating Array metadata (depth \(churnDepthReached) at the end): library-only children 0/300 hung (\(format(plain.microseconds / 1000)) ms each); children needing new generic metadata \(generic.hung)/300 hung (killed after 1 s)"
}
