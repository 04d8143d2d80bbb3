/// Work a pool's workers find by name: Python's "function by reference, arguments by value".
///
/// Python's `pool.map(square, range(10))` sends `square` as its qualified name and each item
/// pickled. A `PoolTask` does the same: the task type crosses as its name, its stored
/// properties and the arguments as `Codable` values, so the same workers run every call for
/// the pool's whole life (a closure can only reach workers forked after it was made).
///
/// ```swift
/// struct Square: PoolTask {
///     func callAsFunction(_ x: Int) -> Int { x * x }
/// }
///
/// try withPool(processes: 4) { pool in
///     print(try pool.map(Square(), 0..<10))  // [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
/// }
/// ```
///
/// Declare the type where the runtime can find it by name: at file scope or nested in another
/// type, not inside a function or a generic context (the pool says so at the call otherwise).
/// Stored properties are the task's parameters (`Scale(factor: 3)`); they are encoded once
/// per chunk. An error the task throws reaches the caller with its type when it is `Codable`
/// (`catch let error as MyError`), otherwise as a ``WorkerError`` with its message.
public protocol PoolTask: Codable {
    /// The argument of one call: an item of `map`, the argument of `apply`.
    associatedtype Input: Codable
    /// What one call returns; it crosses back to the caller.
    associatedtype Output: Codable

    /// Runs in a worker process for one argument.
    func callAsFunction(_ input: Input) throws -> Output
}

/// A named task of two arguments, for `starmap` and two-argument `apply` and `submit`:
/// Python's `pool.starmap(add, [(1, 2), (3, 4)])`.
///
/// Swift tuples are not `Codable`, so the two arguments are two parameters: the pool encodes
/// each tuple's two values separately and calls the task with both.
///
/// ```swift
/// struct Add: PairTask {
///     func callAsFunction(_ a: Int, _ b: Int) -> Int { a + b }
/// }
///
/// print(try pool.starmap(Add(), [(1, 2), (3, 4), (5, 6)]))  // [3, 7, 11]
/// ```
/// The same rules as ``PoolTask`` apply: a type the runtime can find by name, `Codable`
/// stored properties.
public protocol PairTask: Codable {
    /// The first argument.
    associatedtype First: Codable
    /// The second argument.
    associatedtype Second: Codable
    /// What one call returns; it crosses back to the caller.
    associatedtype Output: Codable

    /// Runs in a worker process for one pair of arguments.
    func callAsFunction(_ first: First, _ second: Second) throws -> Output
}
