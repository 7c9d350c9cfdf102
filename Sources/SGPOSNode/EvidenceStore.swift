import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto

/// Evidence that an outlet signed two different blocks at one height: both signed
/// blocks, kept as files (`evidence/outlet-<id>-height-<h>-<id prefix>.json`) for the
/// checkpoint consensus to turn into an evidence transaction, and for people to read.
/// Either block's producer signature proves the outlet's node key signed it.
enum EvidenceStore {
    struct Record: Codable {
        var kind = "sgpos-equivocation/1"
        var outletId: UInt32
        var height: UInt64
        /// The block this node holds, and the conflicting one; canonical bytes, hex.
        var held: String
        var conflicting: String
        var heldId: String
        var conflictingId: String
    }

    static func record(held: Block, conflicting: Block, directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/outlet-\(held.header.outletID)-height-\(held.header.height)-\(conflicting.id.hex.prefix(16)).json"
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let record = Record(outletId: held.header.outletID, height: held.header.height, held: Hex.encode(held.encoded),
                            conflicting: Hex.encode(conflicting.encoded), heldId: held.id.hex, conflictingId: conflicting.id.hex)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(record).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Keeps `evidence` as `<name>.bin` (its canonical bytes), once.
    static func record(_ evidence: CheckpointEvidence, name: String, directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/\(name).bin"
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try Data(evidence.canonicalBytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Files read per call: a node holds a handful; more is an attack on the disk.
    static let filesMax = 256

    /// Every piece of evidence in `directory` that decodes (outlet equivocation JSON files,
    /// double-vote files and clock-regression files), in canonical form, ascending by id, without duplicates.
    /// Whether each proves anything is for the caller to check.
    static func pending(directory: String) -> [CheckpointEvidence] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted().prefix(filesMax)
        var found: [Hash256: CheckpointEvidence] = [:]
        for name in names {
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(name)") else { continue }
            var item: CheckpointEvidence?
            if name.hasPrefix("outlet-"), name.hasSuffix(".json"), let record = try? JSONDecoder().decode(Record.self, from: data),
               let held = Hex.decode(record.held).flatMap({ try? Block(encoded: $0) }),
               let conflicting = Hex.decode(record.conflicting).flatMap({ try? Block(encoded: $0) }) {
                item = .outletEquivocation(held, conflicting)
            } else if name.hasPrefix("clock-"), name.hasSuffix(".bin") {
                item = try? CheckpointEvidence(canonicalBytes: Array(data))
            } else if name.hasPrefix("double-vote-"), name.hasSuffix(".bin") {
                var decoder = CanonicalDecoder(Array(data))
                if let first = try? SignedVote(from: &decoder), let second = try? SignedVote(from: &decoder), (try? decoder.finish("votes")) != nil {
                    item = .doubleVote(DoubleVoteEvidence(first: first, second: second))
                }
            }
            if let item { found[item.id] = item }
        }
        return found.keys.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }.map { found[$0]! }
    }
}
