import Multiprocessing

// MARK: - What the picture shows

extension Timeline {
    /// The processes (other than the main one) that ran tasks.
    public var workerProcesses: [Row] { rows.filter { !$0.isMain && !$0.tasks.isEmpty } }

    /// The threads the program reported that ran tasks (`worker_threads` workers).
    public var workerThreads: [Thread] {
        rows.flatMap { row in row.threads.filter { thread in thread.reported && row.tasks.contains { $0.thread == thread.tid } } }
    }

    /// The most of `spans` alive at one moment.
    static func peak(_ spans: [(start: UInt64, end: UInt64)]) -> Int {
        let edges = spans.flatMap { [($0.start, 1), ($0.end, -1)] }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        var now = 0, most = 0
        for (_, step) in edges {
            now += step
            most = max(most, now)
        }
        return most
    }

    /// The execution model in a few words: `4 worker processes for the pool's life`,
    /// `4 worker threads in one process`, `8 forked workers, 4 at a time`, `2 child
    /// processes`, `one process`.
    public var modelDescription: String {
        func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        let processes = workerProcesses
        if !processes.isEmpty {
            let tasks = rows.flatMap(\.tasks)
            let last = tasks.map { $0.end ?? $0.start }.max() ?? 0
            // All alive at once, and none gone before the work was done (an end is known to
            // a sampling period).
            let slack = max(20_000_000, duration / 50)
            let peak = Self.peak(processes.map { ($0.start, $0.end) })
            let swift = rows.contains { $0.runtime == "swift" }
            var text = swift ? plural(processes.count, "forked worker")
                : processes.count == 1 ? "1 worker process" : "\(processes.count) worker processes"
            if peak < processes.count {
                text += ", \(peak) at a time"
            } else if processes.allSatisfy({ $0.end + slack >= last }) {
                text += " for the pool's life"
            }
            return text
        }
        let threads = workerThreads
        if !threads.isEmpty {
            return plural(threads.count, "worker thread") + (rows.count == 1 ? " in one process" : "")
        }
        let children = rows.filter { !$0.isMain }.count
        let reported = rows.reduce(0) { $0 + $1.threads.filter(\.reported).count }
        var parts: [String] = []
        if children > 0 { parts.append(children == 1 ? "1 child process" : "\(children) child processes") }
        if reported > 0 { parts.append(plural(reported, "thread")) }
        return parts.isEmpty ? "one process" : parts.joined(separator: " and ")
    }

    /// One line comparing runs: `Python: 4 worker processes for the pool's life · Node.js: 4
    /// worker threads in one process · Swift: 8 forked workers, 4 at a time`.
    public static func caption(_ timelines: [(label: String, timeline: Timeline)]) -> String {
        timelines.filter { !$0.timeline.isEmpty }.map { "\($0.label): \($0.timeline.modelDescription)" }
            .joined(separator: " · ")
    }
}
