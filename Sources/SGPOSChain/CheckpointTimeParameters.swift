/// The bounds of the checkpoints' agreed time (docs/CONSENSUS.md §11), set in the genesis
/// (`parameters.checkpointTime`, Genesis/SCHEMA.md): how far two correct validators' clocks
/// may differ (`precisionMs`), how long a proposal may take to reach a validator
/// (`messageDelayMs`), and the lag between a block's time and the agreed time of the
/// first checkpoint covering it beyond which the audit flags the block (`lagThresholdMs`).
public struct CheckpointTimeParameters: Sendable, Hashable {
    public var precisionMs: UInt32
    public var messageDelayMs: UInt32
    public var lagThresholdMs: UInt64

    /// 500 ms precision (NTP keeps shop PCs well inside it), 2 s message delay, 1 hour lag.
    public static let defaults = CheckpointTimeParameters(precisionMs: 500, messageDelayMs: 2_000, lagThresholdMs: 3_600_000)
    /// Upper bounds of the parameters: one minute; the lag threshold one year (366 days).
    public static let boundMsMax: UInt32 = 60_000
    public static let lagThresholdMsMax: UInt64 = 366 * 86_400_000

    public init(precisionMs: UInt32, messageDelayMs: UInt32, lagThresholdMs: UInt64) {
        self.precisionMs = precisionMs
        self.messageDelayMs = messageDelayMs
        self.lagThresholdMs = lagThresholdMs
    }

    func validate() throws(GenesisError) {
        guard (1...Self.boundMsMax).contains(precisionMs), (1...Self.boundMsMax).contains(messageDelayMs) else {
            throw GenesisError("parameters.checkpointTime: precisionMs and messageDelayMs must be 1...\(Self.boundMsMax)")
        }
        guard (1...Self.lagThresholdMsMax).contains(lagThresholdMs) else {
            throw GenesisError("parameters.checkpointTime.lagThresholdMs must be 1...\(Self.lagThresholdMsMax)")
        }
    }

    /// The time a proposer gives checkpoint h: its clock, and past checkpoint h−1's time.
    public static func proposalTime(nowMs: UInt64, previousMs: UInt64?) -> UInt64 {
        guard let previousMs else { return nowMs }
        return max(nowMs, previousMs + 1)
    }

    /// Whether a new proposal's time is timely for a validator whose clock reads `nowMs`
    /// on receiving it: not after its clock plus the precision, not before its clock less
    /// the precision and the message delay (proposer-based timestamps, as CometBFT's).
    public func isTimely(timeMs: UInt64, nowMs: UInt64) -> Bool {
        timeMs <= nowMs &+ UInt64(precisionMs) && timeMs &+ UInt64(precisionMs) &+ UInt64(messageDelayMs) >= nowMs
    }

    /// Whether an outlet block stamped `blockTimeMs` may be named by a checkpoint a
    /// validator whose clock reads `nowMs` prevotes for: not from its future.
    public func isPast(blockTimeMs: UInt64, nowMs: UInt64) -> Bool {
        blockTimeMs <= nowMs &+ UInt64(precisionMs)
    }
}
