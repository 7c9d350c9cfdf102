/// Why a transaction or block was refused. Nothing it names was changed.
///
/// ``code`` is stable: codes are returned to tills, written in audit reports and never
/// reused (TigerBeetle's result-code discipline). New reasons get new numbers.
public struct LedgerRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable reason: a number never reused, and a name. Each layer declares the
    /// reasons of its own rules over a private enum (as SwiftNIO does), so a new reason is
    /// added where its rule lives: the chain's registry and block rules here (1…299), the
    /// POS state machine's in SGPOSState (300…399). `ReasonCodeTests` checks that every
    /// declared number and name is unique.
    public struct Reason: Hashable, Sendable, CustomStringConvertible {
        /// The stable numeric code.
        public let rawValue: UInt16
        /// The reason's name, as printed in rejections and FORMAT.md §8.
        public let name: String

        /// Declares a reason; for the layer that owns the range of `rawValue`.
        public init(declaring rawValue: UInt16, name: String) {
            self.rawValue = rawValue
            self.name = name
        }

        public var description: String { name }

        /// The reasons of the chain's own rules, in code order.
        public static let chainReasons: [Reason] = ChainReason.allCases.map { Reason(declaring: $0.rawValue, name: "\($0)") }
        public static let malformed = Reason(chain: .malformed)
        public static let wrongChain = Reason(chain: .wrongChain)
        public static let wrongOutlet = Reason(chain: .wrongOutlet)
        public static let badSignature = Reason(chain: .badSignature)
        public static let unknownSigner = Reason(chain: .unknownSigner)
        public static let signerRevoked = Reason(chain: .signerRevoked)
        public static let signerRetired = Reason(chain: .signerRetired)
        public static let sequenceNotIncreasing = Reason(chain: .sequenceNotIncreasing)
        public static let duplicateIdempotencyID = Reason(chain: .duplicateIdempotencyID)
        public static let notAuthorized = Reason(chain: .notAuthorized)
        public static let keyAlreadyRegistered = Reason(chain: .keyAlreadyRegistered)
        public static let principalHasActiveKey = Reason(chain: .principalHasActiveKey)
        public static let unknownKey = Reason(chain: .unknownKey)
        public static let keyNotActive = Reason(chain: .keyNotActive)
        public static let outletAlreadyRegistered = Reason(chain: .outletAlreadyRegistered)
        public static let unsupportedBodyType = Reason(chain: .unsupportedBodyType)
        public static let invalidField = Reason(chain: .invalidField)
        public static let nodeKeyCannotSign = Reason(chain: .nodeKeyCannotSign)
        public static let blockVersion = Reason(chain: .blockVersion)
        public static let blockHeight = Reason(chain: .blockHeight)
        public static let blockPreviousHash = Reason(chain: .blockPreviousHash)
        public static let blockTimestamp = Reason(chain: .blockTimestamp)
        public static let blockProducer = Reason(chain: .blockProducer)
        public static let blockSignature = Reason(chain: .blockSignature)
        public static let blockTransactionCount = Reason(chain: .blockTransactionCount)
        public static let blockTransactionRoot = Reason(chain: .blockTransactionRoot)
        public static let blockHistoryRoot = Reason(chain: .blockHistoryRoot)
        public static let blockStateRoot = Reason(chain: .blockStateRoot)
        public static let blockEmpty = Reason(chain: .blockEmpty)
        public static let blockTooLarge = Reason(chain: .blockTooLarge)

        private init(chain reason: ChainReason) { self.init(declaring: reason.rawValue, name: "\(reason)") }
    }

    public let reason: Reason
    /// What exactly was wrong, for a person to act on.
    public let detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    /// The stable numeric code.
    public var code: UInt16 { reason.rawValue }

    public var description: String { "rule \(code) (\(reason)): \(detail)" }
}

/// The chain's rejection codes (registry 1…99, blocks 100…199). Append only; retired
/// numbers stay reserved.
private enum ChainReason: UInt16, CaseIterable {
    case malformed = 1
    case wrongChain = 2
    case wrongOutlet = 3
    case badSignature = 4
    case unknownSigner = 5
    case signerRevoked = 6
    case signerRetired = 7
    case sequenceNotIncreasing = 8
    case duplicateIdempotencyID = 9
    case notAuthorized = 10
    case keyAlreadyRegistered = 11
    case principalHasActiveKey = 12
    case unknownKey = 13
    case keyNotActive = 14
    case outletAlreadyRegistered = 15
    case unsupportedBodyType = 16
    case invalidField = 17
    case nodeKeyCannotSign = 18
    case blockVersion = 100
    case blockHeight = 101
    case blockPreviousHash = 102
    case blockTimestamp = 103
    case blockProducer = 104
    case blockSignature = 105
    case blockTransactionCount = 106
    case blockTransactionRoot = 107
    case blockHistoryRoot = 108
    case blockStateRoot = 109
    case blockEmpty = 110
    case blockTooLarge = 111
}
