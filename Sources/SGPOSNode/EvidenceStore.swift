import Foundation
import SGPOSChain
import SGPOSCodec

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
}
