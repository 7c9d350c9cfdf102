extension API {
    /// A member's accounts at every outlet that enrolled the member, and the total.
    public struct NetworkMember: Codable, Sendable {
        public struct Account: Codable, Sendable {
            public var outletId: UInt32
            public var points: Int64
            public var lifetimeSpend: String

            public init(outletId: UInt32, points: Int64, lifetimeSpend: String) {
                self.outletId = outletId
                self.points = points
                self.lifetimeSpend = lifetimeSpend
            }
        }
        public var memberId: String
        public var accounts: [Account]
        public var points: Int64
        /// The heads this view was computed over: outlet id → height.
        public var asOf: [String: UInt64]
        /// The member as of the last applied checkpoint (absent without a checkpoint chain).
        public var checkpointed: Checkpointed?

        /// A member's totals and accounts in the network state.
        public struct Checkpointed: Codable, Sendable {
            public var checkpointHeight: UInt64
            public var points: Int64
            public var earned: Int64
            public var redeemed: Int64
            public var expired: Int64
            public var accounts: [CheckpointedAccount]

            public init(checkpointHeight: UInt64, points: Int64, earned: Int64, redeemed: Int64, expired: Int64, accounts: [CheckpointedAccount]) {
                self.checkpointHeight = checkpointHeight
                self.points = points
                self.earned = earned
                self.redeemed = redeemed
                self.expired = expired
                self.accounts = accounts
            }
        }

        public struct CheckpointedAccount: Codable, Sendable {
            public var outletId: UInt32
            public var points: Int64

            public init(outletId: UInt32, points: Int64) {
                self.outletId = outletId
                self.points = points
            }
        }

        public init(memberId: String, accounts: [Account], points: Int64, asOf: [String: UInt64], checkpointed: Checkpointed? = nil) {
            self.memberId = memberId
            self.accounts = accounts
            self.points = points
            self.asOf = asOf
            self.checkpointed = checkpointed
        }
    }

    /// Inter-outlet transfers seen in any chain: matched when both halves carry the same
    /// lines, pending while one half is missing, mismatched otherwise.
    public struct NetworkTransfers: Codable, Sendable {
        public struct Transfer: Codable, Sendable {
            public var transferId: String
            public var from: UInt32
            public var to: UInt32
            public var status: String
            public var units: Int64
            /// The status as of the last applied checkpoint (absent before one covers it).
            public var checkpointedStatus: String?

            public init(transferId: String, from: UInt32, to: UInt32, status: String, units: Int64, checkpointedStatus: String? = nil) {
                self.transferId = transferId
                self.from = from
                self.to = to
                self.status = status
                self.units = units
                self.checkpointedStatus = checkpointedStatus
            }
        }
        public var transfers: [Transfer]
        public var asOf: [String: UInt64]
        /// The checkpoint the checkpointed statuses are as of (absent without a checkpoint chain).
        public var checkpointHeight: UInt64?

        public init(transfers: [Transfer], asOf: [String: UInt64], checkpointHeight: UInt64? = nil) {
            self.transfers = transfers
            self.asOf = asOf
            self.checkpointHeight = checkpointHeight
        }
    }
}
