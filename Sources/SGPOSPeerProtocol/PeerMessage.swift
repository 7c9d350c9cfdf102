import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto

/// Messages of the peer protocol (docs/PEERS.md): pure encoding and decoding, apart from
/// the node's sockets so that the decoder can be fuzzed alone. A frame is `u32` length ‖ payload;
/// the payload is `u8` type ‖ the message's canonical encoding.
public enum PeerMessage: Sendable, Equatable {
    /// First message both ways: who I claim to be, and a fresh nonce for you to sign.
    case hello(chainID: ChainID, genesisID: Hash256, outlet: OutletID, nonce: Hash256)
    /// My node key's signature over your nonce (proves I hold the genesis key I claimed).
    case auth(signature: Signature)
    /// The chains I hold: outlet, height, block id.
    case heads([PeerHead])
    /// Send me blocks `from`… of `outlet` (at most ``PeerMessage/blocksPerMessageMax``).
    case getBlocks(outlet: OutletID, from: UInt64, count: UInt32)
    /// Blocks of one outlet, ascending heights.
    case blocks([Block])
    /// A checkpoint-consensus message (docs/CONSENSUS.md §2).
    case consensus(ConsensusMessage)
    /// The sender's acknowledgement of a checkpoint's agreed time (docs/CONSENSUS.md §11).
    case checkpointAck(CheckpointAck)

    public static let frameBytesMax = 32 << 20
    /// Frames before the handshake completes (hello and auth need under 200 bytes).
    public static let handshakeFrameBytesMax = 4 << 10
    public static let blocksPerMessageMax: UInt32 = 32
    public static let headsMax = 4_096
    public static let version: UInt8 = 1
    public static let authTag = DomainTag("SGPOS/peer-auth/v1")

    /// What a node signs to authenticate to a peer that sent `nonce`.
    public static func authMessage(genesisID: Hash256, peerNonce: Hash256, signer: OutletID) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 100)
        genesisID.encode(to: &encoder)
        peerNonce.encode(to: &encoder)
        encoder.writeU32(signer)
        return authTag.prefix + encoder.bytes
    }

    public var encoded: [UInt8] {
        var encoder = CanonicalEncoder(capacity: 128)
        switch self {
        case .hello(let chainID, let genesisID, let outlet, let nonce):
            encoder.writeU8(1)
            encoder.writeU8(PeerMessage.version)
            encoder.writeString(chainID.value, limit: 64)
            genesisID.encode(to: &encoder)
            encoder.writeU32(outlet)
            nonce.encode(to: &encoder)
        case .auth(let signature):
            encoder.writeU8(2)
            signature.encode(to: &encoder)
        case .heads(let heads):
            encoder.writeU8(3)
            encoder.writeCount(heads.count, limit: PeerMessage.headsMax)
            for head in heads {
                encoder.writeU32(head.outlet)
                encoder.writeU64(head.height)
                head.blockID.encode(to: &encoder)
            }
        case .getBlocks(let outlet, let from, let count):
            encoder.writeU8(4)
            encoder.writeU32(outlet)
            encoder.writeU64(from)
            encoder.writeU32(count)
        case .blocks(let blocks):
            encoder.writeU8(5)
            encoder.writeCount(blocks.count, limit: Int(PeerMessage.blocksPerMessageMax))
            for block in blocks { encoder.writeBytes(block.encoded, limit: PeerMessage.frameBytesMax) }
        case .consensus(let message):
            encoder.writeU8(6)
            message.encode(to: &encoder)
        case .checkpointAck(let ack):
            encoder.writeU8(7)
            ack.encode(to: &encoder)
        }
        return encoder.bytes
    }

    public init(decoding bytes: [UInt8]) throws(CodecError) {
        var decoder = CanonicalDecoder(bytes)
        let at = decoder.offset
        switch try decoder.readU8("peer message type") {
        case 1:
            let versionAt = decoder.offset
            guard try decoder.readU8("peer protocol version") == PeerMessage.version else {
                throw .unknownVersion("peer protocol version", at: versionAt)
            }
            let chainAt = decoder.offset
            guard let chainID = ChainID(try decoder.readString("chain id", limit: 64)) else {
                throw .invalidValue("chain id", at: chainAt)
            }
            self = .hello(chainID: chainID, genesisID: try Hash256(from: &decoder),
                          outlet: try decoder.readU32("outlet"), nonce: try Hash256(from: &decoder))
        case 2:
            self = .auth(signature: try Signature(from: &decoder))
        case 3:
            let count = try decoder.readCount("heads", limit: PeerMessage.headsMax)
            var heads: [PeerHead] = []
            for _ in 0..<count {
                heads.append(PeerHead(outlet: try decoder.readU32("outlet"), height: try decoder.readU64("height"),
                                      blockID: try Hash256(from: &decoder)))
            }
            self = .heads(heads)
        case 4:
            self = .getBlocks(outlet: try decoder.readU32("outlet"), from: try decoder.readU64("from"),
                              count: try decoder.readU32("count"))
        case 5:
            let count = try decoder.readCount("blocks", limit: Int(PeerMessage.blocksPerMessageMax))
            var blocks: [Block] = []
            for _ in 0..<count {
                blocks.append(try Block(encoded: try decoder.readBytes("block", limit: PeerMessage.frameBytesMax)))
            }
            self = .blocks(blocks)
        case 6:
            self = .consensus(try ConsensusMessage(from: &decoder))
        case 7:
            self = .checkpointAck(try CheckpointAck(from: &decoder))
        default:
            throw .unknownTag("peer message type", at: at)
        }
        try decoder.finish("peer message")
    }
}

/// One chain's head as a peer reports it.
public struct PeerHead: Sendable, Equatable {
    public var outlet: OutletID
    public var height: UInt64
    public var blockID: Hash256

    public init(outlet: OutletID, height: UInt64, blockID: Hash256) {
        self.outlet = outlet
        self.height = height
        self.blockID = blockID
    }
}
