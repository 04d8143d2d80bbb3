// The one place that uses the standard library's underscored entry points `_mangledTypeName`
// and `_typeByName`: a type crosses to another process as its mangled name, and the worker,
// running the same program, finds the type again by that name.

/// Types found again by name, in this process or in another copy of the same program.
enum TypeNames {
    /// The name by which `type` can be found again, or nil when the runtime cannot find it by
    /// name (so no worker could either).
    static func name(of type: Any.Type) -> String? {
        guard let name = _mangledTypeName(type), let found = _typeByName(name),
              ObjectIdentifier(found) == ObjectIdentifier(type) else { return nil }
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
