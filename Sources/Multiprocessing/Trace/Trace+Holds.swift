extension Trace {
    /// A lock or semaphore unit was taken (`acquired`, written once it is held) or is about to
    /// be given back (written before it is free), so two holds of one lock in the trace never
    /// overlap unless the holds themselves did. `region` names the object: a shared region
    /// has the same address in every process forked after it was made.
    static func hold(_ acquired: Bool, region: SharedRegion, kind: TraceEvent.HoldKind) {
        guard isEnabled else { return }
        let object = "0x" + String(UInt(bitPattern: region.base), radix: 16)
        let what: TraceEvent.Kind = acquired ? .acquired(object: object, kind: kind) : .released(object: object, kind: kind)
        record(TraceEvent(what, pid: system_cachedPid(), time: now))
    }
}
