import Synchronization

/// Names for the one-off segments that carry ring messages too large for their ring, and
/// their clean-up.
///
/// A segment is named after the process that created its ring, the ring, the producer and a
/// counter: `/dev/shm/learn-mp-<creator pid>-<ring>-<producer pid>-<n>`. The consumer removes
/// the name as it opens the segment. Whatever no one took (a queue dropped with large items
/// in it, a producer killed while writing one) is removed when the creating process exits
/// (``ProcessTable/finishAtExit()``), after its children were joined.
enum SharedSegments {
    private static let rings = Atomic<Int>(0)
    private static let items = Atomic<Int>(0)
    /// The pid of the last process that created a ring here, so a forked child (which
    /// inherits the value) cleans up only after rings it created itself. A plain word, no
    /// generic type: a forked child reads it at exit (see ``ProcessTable/finishAtExit()``);
    /// ``ChildStartup/prepare()`` initializes it in the parent.
    @exclusivity(unchecked) nonisolated(unsafe) static var creator: Int32 = 0

    /// The name prefix for a new ring's segments (called by the ring's creator).
    static func prefixForNewRing() -> String {
        let pid = system_cachedPid()
        creator = pid
        ProcessTable.shared.installExitHandler()
        return "learn-mp-\(pid)-\(rings.add(1, ordering: .relaxed).newValue)-"
    }

    /// A fresh path for a segment of the ring with `prefix`.
    static func newPath(prefix: String) -> String {
        "\(sharedSegmentDirectory)/\(prefix)\(system_cachedPid())-\(items.add(1, ordering: .relaxed).newValue)"
    }

    /// Removes every segment of the rings this process created that no one took.
    static func removeUntaken() {
        let pid = system_cachedPid()
        guard creator == pid else { return }
        for name in system_directoryEntries(sharedSegmentDirectory, prefix: "learn-mp-\(pid)-") {
            system_unlink("\(sharedSegmentDirectory)/\(name)")
        }
    }
}
