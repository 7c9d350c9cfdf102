extension API {
    /// The checkpoint chain as this node sees it (`GET /v1/checkpoints/status`).
    public struct CheckpointStatus: Sendable, Codable {
        /// Height being decided.
        public var working: UInt64
        public var round: UInt32
        /// Newest decided checkpoint (0 before the first).
        public var checkpointHeight: UInt64
        public var decidedAtMs: UInt64?
        /// The newest checkpoint's agreed time (Unix ms; docs/CONSENSUS.md §11).
        public var agreedTimeMs: UInt64?
        /// Per outlet: the newest block height the last checkpoint covers.
        public var covered: [String: UInt64]
        public var validators: Int
        /// Total voting power of the working height's set, and this node's share (nil: observer).
        public var totalPower: UInt64
        public var validatorIndex: UInt16?
        public var validatorPower: UInt64?
        /// Own blocks committed → covered by a checkpoint, over the last samples.
        public var finalityP50Ms: UInt64?
        public var finalityP99Ms: UInt64?
        public var finalitySamples: Int
        public var doubleVotes: Int
        /// The checkpoint the network state is at, its root, and a divergence if one was found.
        public var networkHeight: UInt64
        public var networkRoot: String
        public var networkDivergence: String?

        public init(working: UInt64, round: UInt32, checkpointHeight: UInt64, decidedAtMs: UInt64? = nil, agreedTimeMs: UInt64? = nil, covered: [String: UInt64], validators: Int, totalPower: UInt64, validatorIndex: UInt16? = nil, validatorPower: UInt64? = nil, finalityP50Ms: UInt64? = nil, finalityP99Ms: UInt64? = nil, finalitySamples: Int, doubleVotes: Int, networkHeight: UInt64, networkRoot: String, networkDivergence: String? = nil) {
            self.working = working
            self.round = round
            self.checkpointHeight = checkpointHeight
            self.decidedAtMs = decidedAtMs
            self.agreedTimeMs = agreedTimeMs
            self.covered = covered
            self.validators = validators
            self.totalPower = totalPower
            self.validatorIndex = validatorIndex
            self.validatorPower = validatorPower
            self.finalityP50Ms = finalityP50Ms
            self.finalityP99Ms = finalityP99Ms
            self.finalitySamples = finalitySamples
            self.doubleVotes = doubleVotes
            self.networkHeight = networkHeight
            self.networkRoot = networkRoot
            self.networkDivergence = networkDivergence
        }
    }
}
