/// A value could not be encoded, or bytes could not be decoded, by the binary codec that
/// carries `Codable` values between processes.
///
/// Each case says where it happened: a byte offset into the message, or the coding path of
/// the value (`items[3].name`). Malformed input always ends in one of these errors.
public enum CodecError: Error, Equatable, CustomStringConvertible {
    /// The message ended early: `needed` bytes were expected at `offset`, only `available` were left.
    case truncated(offset: Int, needed: Int, available: Int)
    /// The bytes hold a different kind of value than the type being decoded asks for.
    case typeMismatch(expected: String, found: String, path: String)
    /// A number does not fit in the type being decoded (for example 300 into `UInt8`).
    case valueOutOfRange(value: String, type: String, path: String)
    /// A string's bytes at `offset` are not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// A required key is not in the message.
    case keyNotFound(key: String, path: String)
    /// An unkeyed container (an array) has fewer elements than the type decodes.
    case endOfContainer(path: String)
    /// The bytes are not in the codec's format (unknown tag, bad length, nesting too deep).
    case corrupt(offset: Int, reason: String)
    /// Bytes were left over after the value ended.
    case trailingBytes(count: Int)
    /// The value cannot be represented (for example a nesting deeper than the codec allows).
    case unsupportedValue(String)

    /// What failed, where, and how to fix it.
    public var description: String {
        switch self {
        case .truncated(let offset, let needed, let available):
            "truncated message: needed \(needed) bytes at offset \(offset) but only \(available) remain; the sender and receiver must exchange whole messages"
        case .typeMismatch(let expected, let found, let path):
            "type mismatch at \(path): expected \(expected) but the message holds \(found); decode with the type that was sent"
        case .valueOutOfRange(let value, let type, let path):
            "value \(value) at \(path) does not fit in \(type); decode with a wider type"
        case .invalidUTF8(let offset):
            "invalid UTF-8 in a string at offset \(offset); the message is damaged or was not written by this codec"
        case .keyNotFound(let key, let path):
            "key '\(key)' not found at \(path); decode with the type that was sent, or make the property optional"
        case .endOfContainer(let path):
            "no more elements in the array at \(path); the type decodes more elements than were sent"
        case .corrupt(let offset, let reason):
            "corrupt message at offset \(offset): \(reason); the bytes were not written by this codec"
        case .trailingBytes(let count):
            "\(count) bytes left over after the value; decode with the type that was sent"
        case .unsupportedValue(let reason):
            "cannot encode value: \(reason)"
        }
    }

    /// A coding path as text: `items[3].name`, or `top level`.
    static func describe(_ path: [any CodingKey]) -> String {
        if path.isEmpty { return "top level" }
        var text = ""
        for key in path {
            if let index = key.intValue, key.stringValue == "Index \(index)" {
                text += "[\(index)]"
            } else {
                if !text.isEmpty { text += "." }
                text += key.stringValue
            }
        }
        return text
    }
}
