import Foundation
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto

/// Validator updates an admin handed to this node (`POST /v1/admin/validator-updates`),
/// kept as files (`validator-updates/<id>.bin`, canonical bytes) until a checkpoint this
/// node proposes, or any other, carries them (docs/CONSENSUS.md §9). Files survive a
/// restart; one that no longer applies is skipped, never deleted, for people to read.
enum ValidatorUpdatePool {
    /// Files read per call: an admin hands over a handful; more is an attack on the disk.
    static let filesMax = 64

    static func add(_ update: ValidatorUpdate, directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/\(update.id.hex).bin"
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try Data(update.canonicalBytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Every update in `directory` that decodes, ascending by id. Whether each applies is
    /// for the caller to check.
    static func pending(directory: String) -> [ValidatorUpdate] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".bin") }.sorted()
        return names.prefix(filesMax).compactMap { name in
            FileManager.default.contents(atPath: "\(directory)/\(name)").flatMap { try? ValidatorUpdate(canonicalBytes: Array($0)) }
        }.sorted { $0.id.bytes.lexicographicallyPrecedes($1.id.bytes) }
    }
}
