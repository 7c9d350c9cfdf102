import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto

/// The checkpoint application of a simulated validator: one outlet chain per validator,
/// whose newest block heights the validator learns by gossip. A checkpoint lists, per
/// outlet, the newest height it covers, and the validator change its height carries
/// (``SimulatedValidators``); it is valid for a validator when every head is at least the
/// one of the validator's last decided checkpoint (checkpoints never go back) and at most
/// what the validator holds (it only votes for blocks it has verified), and the change is
/// the one of its height.
final class SimulatedCheckpoints: CheckpointApplication {
    /// Newest outlet heights this validator holds, by outlet index.
    var known: [UInt64]
    /// Heads of the last decided checkpoint.
    var decided: [UInt64]
    let sets: SimulatedValidators

    init(sets: SimulatedValidators) {
        self.sets = sets
        known = Array(repeating: 0, count: sets.count)
        decided = Array(repeating: 0, count: sets.count)
    }

    struct Value: Hashable {
        var heads: [UInt64]
        var change: SimulatedValidators.Change?
    }

    static func encode(_ value: Value) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 24 + value.heads.count * 8)
        encoder.writeCount(value.heads.count, limit: 64)
        for head in value.heads { encoder.writeU64(head) }
        encoder.writeBool(value.change != nil)
        if let change = value.change {
            encoder.writeU16(change.validator)
            encoder.writeU64(change.power)
            encoder.writeU32(change.generation)
        }
        return encoder.bytes
    }

    static func decode(_ bytes: [UInt8]) -> Value? {
        var decoder = CanonicalDecoder(bytes)
        guard let count = try? decoder.readCount("outlets", limit: 64) else { return nil }
        var heads: [UInt64] = []
        for _ in 0..<count {
            guard let head = try? decoder.readU64("head") else { return nil }
            heads.append(head)
        }
        var change: SimulatedValidators.Change?
        guard let hasChange = try? decoder.readBool("change") else { return nil }
        if hasChange {
            guard let validator = try? decoder.readU16("validator"), let power = try? decoder.readU64("power"),
                  let generation = try? decoder.readU32("generation") else { return nil }
            change = .init(validator: validator, power: power, generation: generation)
        }
        guard (try? decoder.finish("checkpoint")) != nil else { return nil }
        return Value(heads: heads, change: change)
    }

    func committed(_ certificate: CommitCertificate) {
        if let value = Self.decode(certificate.value) { decided = value.heads }
    }

    func hasNewContent(height: UInt64) -> Bool { zip(known, decided).contains { $0 > $1 } }

    func proposal(height: UInt64) -> [UInt8] {
        Self.encode(Value(heads: zip(known, decided).map { max($0, $1) }, change: sets.change(at: height)))
    }

    func isValid(height: UInt64, value: [UInt8]) -> Bool {
        guard let value = Self.decode(value), value.heads.count == known.count, value.change == sets.change(at: height) else { return false }
        for (index, head) in value.heads.enumerated() where head < decided[index] || head > max(known[index], decided[index]) {
            return false
        }
        return true
    }

    func validators(height: UInt64) -> ValidatorSet { sets.set(at: height) }
}
