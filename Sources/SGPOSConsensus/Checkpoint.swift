import SGPOSCodec
import SGPOSCrypto

/// A checkpoint's value: for every outlet of the network, the newest outlet block it
/// covers (height and block id; height 0 and the genesis id before an outlet's first
/// block), ascending by outlet id, every genesis outlet once; and the network root after
/// applying the blocks it newly covers in checkpoint order (docs/CONSENSUS.md §2, §7).
public struct Checkpoint: Sendable, Hashable, CanonicalEncodable, CanonicalDecodable {
    public struct Head: Sendable, Hashable {
        public let outlet: UInt32
        public let height: UInt64
        public let blockID: Hash256
        public init(outlet: UInt32, height: UInt64, blockID: Hash256) {
            self.outlet = outlet
            self.height = height
            self.blockID = blockID
        }
    }

    public static let outletsMax = 1_024
    public let heads: [Head]
    /// networkRoot after this checkpoint (SGPOSState.NetworkLedger).
    public let networkRoot: Hash256

    public init(heads: [Head], networkRoot: Hash256) {
        self.heads = heads
        self.networkRoot = networkRoot
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(2)
        encoder.writeCount(heads.count, limit: Self.outletsMax)
        for head in heads {
            encoder.writeU32(head.outlet)
            encoder.writeU64(head.height)
            head.blockID.encode(to: &encoder)
        }
        networkRoot.encode(to: &encoder)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        guard try decoder.readU8("checkpoint version") == 2 else { throw .unknownVersion("checkpoint", at: at) }
        let count = try decoder.readCount("checkpoint heads", limit: Self.outletsMax)
        var heads: [Head] = []
        for _ in 0..<count {
            let position = decoder.offset
            let head = Head(outlet: try decoder.readU32("outlet"), height: try decoder.readU64("height"), blockID: try Hash256(from: &decoder))
            if let previous = heads.last, previous.outlet >= head.outlet {
                throw .nonCanonical("checkpoint heads must ascend by outlet", at: position)
            }
            heads.append(head)
        }
        self.heads = heads
        networkRoot = try Hash256(from: &decoder)
    }

    /// The head of `outlet`, if listed.
    public func head(of outlet: UInt32) -> Head? { heads.first { $0.outlet == outlet } }
}
