// The challenge every connection to a manager's server passes before its first request, in
// both directions (as Python's `deliver_challenge`/`answer_challenge`, with HMAC-SHA256):
//
//   server → client: magic, server nonce (32 random bytes)
//   client → server: HMAC(key, server nonce), client nonce
//   server → client: 0, HMAC(key, client nonce)      or   1, "authentication failed"
//
// The key itself never crosses the socket; each side proves it knows the key.

enum Authentication {
    static let magic: [UInt8] = Array("mp-manager-1".utf8)
    static let nonceSize = 32

    private static func frame(_ body: [UInt8]) -> [UInt8] {
        var writer = FrameWriter()
        writer.bytes = [0, 0, 0, 0] + body
        writer.finish()
        return writer.bytes
    }

    /// The server's side. Returns false (after telling the client) when the client failed.
    static func serve(_ socket: FramedSocket, key: [UInt8]) throws -> Bool {
        let nonce = try system_randomBytes(nonceSize)
        try socket.send(frame: frame(magic + nonce))
        guard let answer = try socket.receiveFrame(spinNanoseconds: 0),
              answer.count == SHA256.digestSize + nonceSize else { return false }
        let expected = HMACSHA256.authenticationCode(key: key, message: nonce)
        guard HMACSHA256.constantTimeEqual(Array(answer[0..<SHA256.digestSize]), expected) else {
            try? socket.send(frame: frame([1] + Array("authentication failed".utf8)))
            return false
        }
        let clientNonce = Array(answer[SHA256.digestSize...])
        try socket.send(frame: frame([0] + HMACSHA256.authenticationCode(key: key, message: clientNonce)))
        return true
    }

    /// The client's side: throws ``ManagerError/authenticationFailed(address:)`` when either
    /// side's proof is wrong.
    static func answer(_ socket: FramedSocket, key: [UInt8], address: String) throws {
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
        guard let verdict = try socket.receiveFrame(spinNanoseconds: 0), verdict.first == 0,
              verdict.count == 1 + SHA256.digestSize else { throw failed }
        let expected = HMACSHA256.authenticationCode(key: key, message: clientNonce)
        guard HMACSHA256.constantTimeEqual(Array(verdict[1...]), expected) else { throw failed }
    }
}
