import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// Self-proving evidence of misbehaviour carried in a checkpoint (docs/CONSENSUS.md §4):
/// once a checkpoint carries it, every node and every auditor holds the same record that
/// the outlet or validator signed two conflicting things. Each kind proves itself from
/// the genesis keys alone; the encoding is canonical (the two halves in a fixed order),
/// so the same misbehaviour seen by two nodes is one piece of evidence with one id.
public enum CheckpointEvidence: Sendable, Hashable, CanonicalEncodable, CanonicalDecodable {
    /// An outlet's node key signed two different block headers at one height.
    case outletEquivocation(SignedHeader, SignedHeader)
    /// A validator signed two different votes of one kind at one height and round.
    case doubleVote(SignedVote, SignedVote)
    /// An outlet acknowledged a checkpoint's agreed time, then sealed a later block stamped
    /// more than twice the precision before it: its clock went back or stood still
    /// (docs/CONSENSUS.md §11).
    case clockRegression(CheckpointAck, SignedHeader)

    /// A block header's canonical bytes and the producer's signature over them.
    public struct SignedHeader: Sendable, Hashable {
        public let header: [UInt8]
        public let signature: Signature
        public init(header: [UInt8], signature: Signature) {
            self.header = header
            self.signature = signature
        }
        public init(_ block: Block) { self.init(header: block.header.canonicalBytes, signature: block.signature) }
        /// The block id this header has (FORMAT.md §5).
        public var blockID: Hash256 { Hash256.tagged(.blockID, header) }
    }

    /// Evidence items one checkpoint may carry.
    public static let perCheckpointMax = 16
    static let headerBytesMax = 4_096

    /// Puts the halves in canonical order: headers by block id, votes by value id (none first).
    public static func outletEquivocation(_ a: Block, _ b: Block) -> CheckpointEvidence {
        let (x, y) = (SignedHeader(a), SignedHeader(b))
        return x.blockID.bytes.lexicographicallyPrecedes(y.blockID.bytes) ? .outletEquivocation(x, y) : .outletEquivocation(y, x)
    }

    public static func doubleVote(_ evidence: DoubleVoteEvidence) -> CheckpointEvidence {
        let (a, b) = (evidence.first, evidence.second)
        return (a.valueID?.bytes ?? []).lexicographicallyPrecedes(b.valueID?.bytes ?? []) ? .doubleVote(a, b) : .doubleVote(b, a)
    }

    /// SHA-256("SGPOS/evidence/v1" 0x00 ‖ canonical bytes).
    public var id: Hash256 { Hash256.tagged(.evidence, canonicalBytes) }

    /// 1 outlet equivocation, 2 double vote, 3 clock regression.
    public var kind: UInt8 {
        switch self {
        case .outletEquivocation: 1
        case .doubleVote: 2
        case .clockRegression: 3
        }
    }

    /// The evidence that `block` breaks `ack` (see ``isProven(genesis:validators:)``).
    public static func clockRegression(_ ack: CheckpointAck, _ block: Block) -> CheckpointEvidence {
        .clockRegression(ack, SignedHeader(block))
    }

    /// Whether the evidence proves what it claims under `genesis` (halves in canonical
    /// order, same subject and position, different content, both signatures valid: under
    /// the outlet's genesis node key, or under validator i of the vote's height in
    /// `validators`, the schedule built from the genesis and the checkpoints before).
    public func isProven(genesis: Genesis, validators: ValidatorSchedule) -> Bool {
        switch self {
        case .outletEquivocation(let a, let b):
            guard a.blockID.bytes.lexicographicallyPrecedes(b.blockID.bytes),
                  let first = try? BlockHeader(canonicalBytes: a.header), let second = try? BlockHeader(canonicalBytes: b.header),
                  first.outletID == second.outletID, first.height == second.height, first.chainID == genesis.chainID,
                  second.chainID == genesis.chainID,
                  let key = genesis.outlets.first(where: { $0.id == first.outletID })?.nodeKey
            else { return false }
            return key.isValidSignature(a.signature, for: DomainTag.blockSignature.prefix + a.header)
                && key.isValidSignature(b.signature, for: DomainTag.blockSignature.prefix + b.header)
        case .doubleVote(let a, let b):
            guard (a.valueID?.bytes ?? []).lexicographicallyPrecedes(b.valueID?.bytes ?? []),
                  a.chainID == genesis.id, b.chainID == genesis.id, a.kind == b.kind, a.height == b.height, a.round == b.round,
                  a.validator == b.validator, a.height >= 1, a.height <= validators.through + 2
            else { return false }
            let keys = validators.set(at: a.height).keys
            guard Int(a.validator) < keys.count else { return false }
            let key = keys[Int(a.validator)]
            return key.isValidSignature(a.signature, for: a.signedBytes) && key.isValidSignature(b.signature, for: b.signedBytes)
        case .clockRegression(let ack, let block):
            guard ack.isValid(genesis: genesis), let header = try? BlockHeader(canonicalBytes: block.header),
                  header.chainID == genesis.chainID, header.outletID == ack.outlet, header.height > ack.headHeight,
                  UInt64(header.timestampMs) < ack.earliestBlockTimeMs(genesis.timeParameters),
                  let key = genesis.outlet(ack.outlet)?.nodeKey
            else { return false }
            return key.isValidSignature(block.signature, for: DomainTag.blockSignature.prefix + block.header)
        }
    }

    /// Who misbehaved and where: (outlet id or validator index, outlet height or checkpoint height).
    public var subject: (who: UInt32, height: UInt64) {
        switch self {
        case .outletEquivocation(let a, _):
            let header = try? BlockHeader(canonicalBytes: a.header)
            return (header?.outletID ?? 0, header?.height ?? 0)
        case .doubleVote(let a, _): return (UInt32(a.validator), a.height)
        case .clockRegression(let ack, let block):
            return (ack.outlet, (try? BlockHeader(canonicalBytes: block.header))?.height ?? 0)
        }
    }

    public var summary: String {
        switch self {
        case .outletEquivocation: "outlet \(subject.who) signed two blocks at height \(subject.height)"
        case .doubleVote(let a, _): "validator \(a.validator) signed two \(a.kind)s at checkpoint height \(a.height) round \(a.round)"
        case .clockRegression(let ack, let block):
            "outlet \(ack.outlet) stamped block \(subject.height) at \((try? BlockHeader(canonicalBytes: block.header))?.timestampMs ?? 0) ms after acknowledging, at its height \(ack.headHeight), checkpoint \(ack.checkpointHeight)'s agreed time \(ack.checkpointTimeMs) ms: its clock went back or stood still"
        }
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(kind)
        switch self {
        case .outletEquivocation(let a, let b):
            for half in [a, b] {
                encoder.writeBytes(half.header, limit: Self.headerBytesMax)
                half.signature.encode(to: &encoder)
            }
        case .doubleVote(let a, let b):
            a.encode(to: &encoder)
            b.encode(to: &encoder)
        case .clockRegression(let ack, let block):
            ack.encode(to: &encoder)
            encoder.writeBytes(block.header, limit: Self.headerBytesMax)
            block.signature.encode(to: &encoder)
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        switch try decoder.readU8("evidence kind") {
        case 1:
            var halves: [SignedHeader] = []
            for _ in 0..<2 {
                let header = try decoder.readBytes("evidence header", limit: Self.headerBytesMax)
                halves.append(SignedHeader(header: header, signature: try Signature(from: &decoder)))
            }
            self = .outletEquivocation(halves[0], halves[1])
        case 2:
            self = .doubleVote(try SignedVote(from: &decoder), try SignedVote(from: &decoder))
        case 3:
            let ack = try CheckpointAck(from: &decoder)
            let header = try decoder.readBytes("evidence header", limit: Self.headerBytesMax)
            self = .clockRegression(ack, SignedHeader(header: header, signature: try Signature(from: &decoder)))
        default:
            throw .unknownTag("evidence kind", at: at)
        }
    }

    /// The network-state record of this evidence (FORMAT.md §9.4): checkpoint height `u64`
    /// ‖ kind `u8` ‖ who `u32` ‖ height `u64`.
    public func networkRecord(checkpointHeight: UInt64) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 21)
        encoder.writeU64(checkpointHeight)
        encoder.writeU8(kind)
        encoder.writeU32(subject.who)
        encoder.writeU64(subject.height)
        return encoder.bytes
    }
}
