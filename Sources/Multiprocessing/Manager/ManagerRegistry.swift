/// The types of your own that a manager's server can hold, each under a name, with the methods
/// clients may call on them (Python's `BaseManager.register(typeid, callable)`).
///
/// Register everything before the manager starts: the registry is given to ``Manager`` (or to
/// ``Manager/server(address:authKey:limits:registry:)``), and the server, a fork of the
/// process that made it, runs the closures. Clients that only connect need no registry: they
/// name the type and its methods.
///
/// ```swift
/// final class Counter {
///     var total = 0
/// }
/// var registry = ManagerRegistry()
/// registry.register("Counter", make: { Counter() }) { methods in
///     methods.expose("add") { (counter: Counter, amount: Int) in counter.total += amount; return counter.total }
///     methods.expose("total") { (counter: Counter) in counter.total }
/// }
/// let manager = try Manager(registry: registry)
/// let counter = try manager.object("Counter")        // Python: manager.Counter()
/// let total: Int = try counter.call("add", 5)        // Python: counter.add(5)
/// ```
///
/// Arguments and results cross as `Codable` values; a method takes at most one argument (for
/// several, pass a struct or an array). Calls to one instance run one at a time, in the
/// server; calls to different instances run side by side. `make` may return the same instance
/// every time (Python's `register('get_queue', callable=lambda: queue)`): every proxy then
/// reaches that one instance. A method that throws makes the call throw
/// ``ManagerError/methodFailed(typeID:method:reason:)`` in the client.
public struct ManagerRegistry: @unchecked Sendable {
    var types: [String: RegisteredType] = [:]

    public init() {}

    /// Registers `typeID`, made by `make` (without an argument) on the server, with the methods
    /// `expose` lists. A second registration of the same name replaces the first.
    public mutating func register<Object: AnyObject>(
        _ typeID: String, make: @escaping () throws -> Object,
        methods expose: (inout ExposedMethods<Object>) -> Void
    ) {
        var methods = ExposedMethods<Object>()
        expose(&methods)
        types[typeID] = RegisteredType(typeID: typeID, argumentType: nil, make: { argument in
            guard argument == nil else { throw RegisteredType.Failure("\(typeID) takes no argument") }
            return try make()
        }, methods: methods.table)
    }

    /// Registers `typeID`, made on the server by `make` from the argument the client passes to
    /// ``Manager/object(_:_:name:)``.
    public mutating func register<Object: AnyObject, Argument: Decodable>(
        _ typeID: String, make: @escaping (Argument) throws -> Object,
        methods expose: (inout ExposedMethods<Object>) -> Void
    ) {
        var methods = ExposedMethods<Object>()
        expose(&methods)
        types[typeID] = RegisteredType(typeID: typeID, argumentType: "\(Argument.self)", make: { argument in
            guard let argument else { throw RegisteredType.Failure("\(typeID) needs an argument of type \(Argument.self)") }
            return try make(try ProxyCodec.decode(Argument.self, from: argument))
        }, methods: methods.table)
    }

    /// The registered names, sorted.
    public var typeIDs: [String] { types.keys.sorted() }
}

/// The methods of a registered type that clients may call, each under a name (Python's
/// `exposed`). Swift cannot list a class's methods at run time, so each is exposed here.
public struct ExposedMethods<Object: AnyObject> {
    var table: [String: (AnyObject, ArraySlice<UInt8>?) throws -> [UInt8]] = [:]

    /// Exposes `name`: a method without an argument that returns a value.
    public mutating func expose<Result: Encodable>(_ name: String, _ body: @escaping (Object) throws -> Result) {
        table[name] = { object, _ in try ProxyCodec.encode(try body(object as! Object)) }
    }

    /// Exposes `name`: a method with one `Codable` argument that returns a value.
    public mutating func expose<Argument: Decodable, Result: Encodable>(
        _ name: String, _ body: @escaping (Object, Argument) throws -> Result
    ) {
        table[name] = { object, argument in
            guard let argument else { throw RegisteredType.Failure("\(name) needs an argument of type \(Argument.self)") }
            return try ProxyCodec.encode(try body(object as! Object, try ProxyCodec.decode(Argument.self, from: argument)))
        }
    }

    /// Exposes `name`: a method without an argument or result.
    public mutating func expose(_ name: String, _ body: @escaping (Object) throws -> Void) {
        table[name] = { object, _ in try body(object as! Object); return [] }
    }

    /// Exposes `name`: a method with one `Codable` argument and no result.
    public mutating func expose<Argument: Decodable>(_ name: String, _ body: @escaping (Object, Argument) throws -> Void) {
        table[name] = { object, argument in
            guard let argument else { throw RegisteredType.Failure("\(name) needs an argument of type \(Argument.self)") }
            try body(object as! Object, try ProxyCodec.decode(Argument.self, from: argument))
            return []
        }
    }
}

/// A registered type with its type erased, as the server uses it.
struct RegisteredType {
    /// A call the client got wrong (missing or extra argument): its message is shown as is.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    let typeID: String
    let argumentType: String?
    let make: (ArraySlice<UInt8>?) throws -> AnyObject
    let methods: [String: (AnyObject, ArraySlice<UInt8>?) throws -> [UInt8]]
}
