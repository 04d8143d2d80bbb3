// Proxies as values: a proxy encodes as the address of its server and the id of its object
// there, so it can be stored in another proxy (Python's `d['shared'] = manager.list()`) or sent
// to another process, and used there. Decoding it needs a manager for that address in the
// decoding process: the one that made the proxy (also in processes forked from it) or one
// from `Manager.connect(address:authKey:)`, which brings the key.

/// What crosses for a proxy: its server, its object, and the object's kind.
struct ProxyReference: Codable {
    let address: ManagerAddress
    let id: UInt32
    let kind: UInt8
}

/// A proxy that encodes as a ``ProxyReference``.
protocol ManagerProxy: Codable {
    /// The kinds of object this proxy type can stand for.
    static var kinds: [ObjectKind] { get }
    var client: ManagerClient { get }
    var id: UInt32 { get }
    /// The kind of this proxy's object.
    var kind: ObjectKind { get }
    init(client: ManagerClient, id: UInt32, kind: ObjectKind)
}

extension ManagerProxy {
    var kind: ObjectKind { Self.kinds[0] }

    public func encode(to encoder: any Encoder) throws {
        try ProxyReference(address: client.address, id: id, kind: kind.rawValue).encode(to: encoder)
    }

    /// - Throws: `DecodingError` when the reference is to another kind of object, or when no
    ///   manager for its address is known in this process.
    public init(from decoder: any Decoder) throws {
        let reference = try ProxyReference(from: decoder)
        guard let kind = ObjectKind(rawValue: reference.kind), Self.kinds.contains(kind) else {
            let actual = ObjectKind(rawValue: reference.kind).map(\.description) ?? "unknown object"
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "a proxy of a \(actual) cannot be used as a \(Self.self)"))
        }
        guard let client = ManagerClient.known(at: reference.address) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "no manager at \(reference.address) is known in this process: call Manager.connect(address: \(reference.address), authKey: ...) first"))
        }
        self.init(client: client, id: reference.id, kind: kind)
    }
}

/// A proxy type made from its client and id alone (all but ``LockProxy``, which keeps its kind).
protocol PlainProxy: ManagerProxy {
    init(client: ManagerClient, id: UInt32)
}

extension PlainProxy {
    init(client: ManagerClient, id: UInt32, kind: ObjectKind) { self.init(client: client, id: id) }
}

extension LockProxy: Codable, ManagerProxy {
    static var kinds: [ObjectKind] { [.lock, .rlock] }
}
extension DictProxy: Codable, PlainProxy { static var kinds: [ObjectKind] { [.dict] } }
extension ListProxy: Codable, PlainProxy { static var kinds: [ObjectKind] { [.list] } }
extension ValueProxy: Codable, PlainProxy { static var kinds: [ObjectKind] { [.value] } }
extension Namespace: Codable, PlainProxy { static var kinds: [ObjectKind] { [.namespace] } }
extension SemaphoreProxy: Codable, PlainProxy { static var kinds: [ObjectKind] { [.semaphore, .boundedSemaphore] } }
extension EventProxy: Codable, PlainProxy { static var kinds: [ObjectKind] { [.event] } }
extension ConditionProxy: Codable, PlainProxy { static var kinds: [ObjectKind] { [.condition] } }
extension BarrierProxy: Codable, PlainProxy { static var kinds: [ObjectKind] { [.barrier] } }
extension QueueProxy: Codable, PlainProxy { static var kinds: [ObjectKind] { [.queue, .joinableQueue] } }
extension ObjectProxy: Codable, PlainProxy { static var kinds: [ObjectKind] { [.registered] } }
