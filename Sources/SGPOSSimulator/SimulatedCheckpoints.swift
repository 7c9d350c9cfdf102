import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto

/// The checkpoint application of a simulated validator: one outlet chain per validator,
/// whose newest block heights the validator learns by gossip. A checkpoint lists, per
/// outlet, the newest height it covers; it is valid for a validator when every head is at
/// least the one of the validator's last decided checkpoint (checkpoints never go back)
/// and at most what the validator holds (it only votes for blocks it has verified).
final class SimulatedCheckpoints: CheckpointApplication {
    /// Newest outlet heights this validator holds, by outlet index.
    var known: [UInt64]
    /// Heads of the last decided checkpoint.
    var decided: [UInt64]

    init(outlets: Int) {
        known = Array(repeating: 0, count: outlets)
        decided = Array(repeating: 0, count: outlets)
    }

    static func encode(_ heads: [UInt64]) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 8 + heads.count * 8)
        encoder.writeCount(heads.count, limit: 64)
        for head in heads { encoder.writeU64(head) }
        return encoder.bytes
    }

    static func decode(_ bytes: [UInt8]) -> [UInt64]? {
        var decoder = CanonicalDecoder(bytes)
        guard let count = try? decoder.readCount("outlets", limit: 64) else { return nil }
        var heads: [UInt64] = []
        for _ in 0..<count {
            guard let head = try? decoder.readU64("head") else { return nil }
            heads.append(head)
        }
        guard (try? decoder.finish("checkpoint")) != nil else { return nil }
        return heads
    }

    func committed(_ certificate: CommitCertificate) {
        if let heads = Self.decode(certificate.value) { decided = heads }
    }

    func hasNewContent(height: UInt64) -> Bool { zip(known, decided).contains { $0 > $1 } }

    func proposal(height: UInt64) -> [UInt8] { Self.encode(zip(known, decided).map { max($0, $1) }) }

    func isValid(height: UInt64, value: [UInt8]) -> Bool {
        guard let heads = Self.decode(value), heads.count == known.count else { return false }
        for (index, head) in heads.enumerated() where head < decided[index] || head > max(known[index], decided[index]) {
            return false
        }
        return true
    }
}
