// The challenge every connection to a manager's server passes before its first request, in
// both directions (as Python's `deliver_challenge`/`answer_challenge`, with HMAC-SHA256):
//
//   server → client: magic, server nonce (32 random bytes)
//   client → server: HMAC(key, server nonce), client nonce
//   server → client: 0, HMAC(key, client nonce), the largest message the server takes (8 bytes)
//               or   1, "authentication failed"
//               or   2, the server's connection limit (8 bytes): it serves that many already
//
// The key itself never crosses the socket; each side proves it knows the key. No frame of the
// exchange is longer than `ManagerLimits.preAuthenticationFrameBytes`.

enum Authentication {
    static let magic: [UInt8] = Array("mp-manager-2".utf8)
    static let nonceSize = 32
    /// The size of the client's answer: its proof and its own nonce.
    static let answerSize = SHA256.digestSize + nonceSize

    /// `body`, then the integers in `numbers` (8 bytes each), with the length prefix.
    static func frame(_ body: [UInt8], numbers: [Int] = []) -> [UInt8] {
        var writer = FrameWriter()
        writer.bytes = [0, 0, 0, 0] + body
        for number in numbers { writer.appendRaw(Int64(number)) }
        writer.finish()
        return writer.bytes
    }

    // MARK: - Server side

    /// The challenge frame carrying `nonce`.
    static func challenge(nonce: [UInt8]) -> [UInt8] {
        frame(magic + nonce)
    }

    /// The client's nonce when `answer` proves that the client knows `key`; nil otherwise.
    static func clientNonce(answer: [UInt8], nonce: [UInt8], key: [UInt8]) -> [UInt8]? {
        guard answer.count == answerSize else { return nil }
        let expected = HMACSHA256.authenticationCode(key: key, message: nonce)
        guard HMACSHA256.constantTimeEqual(Array(answer[0..<SHA256.digestSize]), expected) else { return nil }
        return Array(answer[SHA256.digestSize...])
    }

    /// The server's proof, and the largest message it takes.
    static func acceptance(clientNonce: [UInt8], key: [UInt8], maximumMessageBytes: Int) -> [UInt8] {
        frame([0] + HMACSHA256.authenticationCode(key: key, message: clientNonce), numbers: [maximumMessageBytes])
    }

    static let refusal = frame([1] + Array("authentication failed".utf8))

    /// The answer of a server that serves `limit` connections already.
    static func serverFull(limit: Int) -> [UInt8] {
        frame([2], numbers: [limit])
    }

    // MARK: - Client side

    /// The client's side. Returns the largest message the server takes.
    ///
    /// - Throws: ``ManagerError/authenticationFailed(address:)`` when either side's proof is
    ///   wrong, ``ManagerError/tooManyConnections(address:limit:)`` when the server is full.
    static func answer(_ socket: FramedSocket, key: [UInt8], address: String) throws -> Int {
        let failed = ManagerError.authenticationFailed(address: address)
        guard let challenge = try socket.receiveFrame(spinNanoseconds: 0) else {
            throw ManagerError.serverGone(address: address, reason: "connection closed during authentication")
        }
        guard challenge.count == magic.count + nonceSize, Array(challenge[0..<magic.count]) == magic else {
            throw ManagerError.malformedMessage(reason: "\(address) did not send a manager's challenge")
        }
        let serverNonce = Array(challenge[magic.count...])
        let clientNonce = try system_randomBytes(nonceSize)
        try socket.send(frame: frame(HMACSHA256.authenticationCode(key: key, message: serverNonce) + clientNonce))
        guard let verdict = try socket.receiveFrame(spinNanoseconds: 0) else { throw failed }
        var reader = FrameReader(body: verdict, offset: 1)
        if verdict.first == 2, verdict.count == 9 {
            throw ManagerError.tooManyConnections(address: address, limit: Int(try reader.raw(Int64.self)))
        }
        guard verdict.first == 0, verdict.count == 1 + SHA256.digestSize + 8 else { throw failed }
        let expected = HMACSHA256.authenticationCode(key: key, message: clientNonce)
        guard HMACSHA256.constantTimeEqual(Array(verdict[1...SHA256.digestSize]), expected) else { throw failed }
        reader.offset += SHA256.digestSize
        return Int(try reader.raw(Int64.self))
    }
}
