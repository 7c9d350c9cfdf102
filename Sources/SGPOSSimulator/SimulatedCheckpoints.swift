import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto

/// The checkpoint application of a simulated validator: one outlet chain per validator,
/// whose newest block heights the validator learns by gossip. A checkpoint lists, per
/// outlet, the newest height it covers, and the validator change its height carries
/// (``SimulatedValidators``); it is valid for a validator when every head is at least the
/// one of the validator's last decided checkpoint (checkpoints never go back) and at most
/// what the validator holds (it only votes for blocks it has verified), and the change is
/// the one of its height. Each carries an agreed time as the node's do (docs/CONSENSUS.md
/// §11): the proposer's clock, after the last decided checkpoint's; a fresh proposal is
/// prevoted only when its time is timely by this validator's clock, which is the
/// simulation's time plus this validator's skew.
final class SimulatedCheckpoints: CheckpointApplication {
    /// Newest outlet heights this validator holds, by outlet index.
    var known: [UInt64]
    /// Heads of the last decided checkpoint.
    var decided: [UInt64]
    /// Agreed time of the last decided checkpoint (nil before the first).
    var decidedTimeMs: UInt64?
    let sets: SimulatedValidators
    /// This validator's clock (simulated time plus its skew).
    let clock: () -> UInt64
    let bounds: CheckpointTimeParameters

    init(sets: SimulatedValidators, bounds: CheckpointTimeParameters = .defaults, clock: @escaping () -> UInt64 = { 0 }) {
        self.sets = sets
        self.bounds = bounds
        self.clock = clock
        known = Array(repeating: 0, count: sets.count)
        decided = Array(repeating: 0, count: sets.count)
    }

    struct Value: Hashable {
        var heads: [UInt64]
        var change: SimulatedValidators.Change?
        var timeMs: UInt64 = 0
    }

    static func encode(_ value: Value) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 32 + value.heads.count * 8)
        encoder.writeU64(value.timeMs)
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
        guard let timeMs = try? decoder.readU64("time"), let count = try? decoder.readCount("outlets", limit: 64) else { return nil }
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
        return Value(heads: heads, change: change, timeMs: timeMs)
    }

    func committed(_ certificate: CommitCertificate) {
        if let value = Self.decode(certificate.value) {
            decided = value.heads
            decidedTimeMs = value.timeMs
        }
    }

    func hasNewContent(height: UInt64) -> Bool { zip(known, decided).contains { $0 > $1 } }

    func proposal(height: UInt64) -> [UInt8] {
        Self.encode(Value(heads: zip(known, decided).map { max($0, $1) }, change: sets.change(at: height),
                          timeMs: CheckpointTimeParameters.proposalTime(nowMs: clock(), previousMs: decidedTimeMs)))
    }

    func isTimely(height: UInt64, value: [UInt8]) -> Bool {
        guard let value = Self.decode(value) else { return false }
        return bounds.isTimely(timeMs: value.timeMs, nowMs: clock())
    }

    func isValid(height: UInt64, value: [UInt8]) -> Bool {
        guard let value = Self.decode(value), value.heads.count == known.count, value.change == sets.change(at: height),
              decidedTimeMs.map({ value.timeMs > $0 }) ?? true else { return false }
        for (index, head) in value.heads.enumerated() where head < decided[index] || head > max(known[index], decided[index]) {
            return false
        }
        return true
    }

    func validators(height: UInt64) -> ValidatorSet { sets.set(at: height) }
}
