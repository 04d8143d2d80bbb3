// The one place that uses the standard library's underscored entry points `_mangledTypeName`
// and `_typeByName`: a type crosses to another process as its mangled name, and the worker,
// running the same program, finds the type again by that name.

/// Types found again by name, in this process or in another copy of the same program.
enum TypeNames {
    private static let monitor = Monitor()
    /// Names already checked (nil: the type has none that resolves), so a loop of small calls
    /// pays the runtime's lookup once per type.
    nonisolated(unsafe) private static var checked: [ObjectIdentifier: String?] = [:]

    /// The name by which `type` can be found again, or nil when the runtime cannot find it by
    /// name (so no worker could either). `cached: false` neither reads nor fills the cache: for
    /// a forked worker, whose copy of the cache's lock another thread may have held at the fork.
    static func name(of type: Any.Type, cached: Bool = true) -> String? {
        let key = ObjectIdentifier(type)
        if cached, let known = monitor.withLock({ checked[key] }) { return known }
        var name = _mangledTypeName(type)
        if let candidate = name, _typeByName(candidate).map(ObjectIdentifier.init) != key { name = nil }
        if cached { monitor.withLock { checked[key] = name } }
        return name
    }

    /// The type named `name` (by ``name(of:)``), or nil when this program has none.
    static func type(named name: String) -> Any.Type? {
        _typeByName(name)
    }

    /// The type's name as a reader knows it, for messages: `MyModule.Square`.
    static func readableName(of type: Any.Type) -> String {
        String(reflecting: type)
    }
}
