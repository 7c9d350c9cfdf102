import Foundation
import SGPOSCodec
import SGPOSChain
import SGPOSConsensus
import SGPOSCrypto

/// Something an admin signs for a checkpoint to carry: a validator update, an allowance grant or a product recall.
protocol AdminAct: CanonicalEncodable, CanonicalDecodable {
    var id: Hash256 { get }
}

extension ValidatorUpdate: AdminAct {}
extension AllowanceGrant: AdminAct {}
extension ProductRecall: AdminAct {}

/// Admin acts handed to this node (`POST /v1/admin/validator-updates`,
/// `POST /v1/admin/allowance-grants`), kept as files (`<directory>/<id>.bin`, canonical
/// bytes) until a checkpoint this node proposes, or any other, carries them
/// (docs/CONSENSUS.md §9, §10). Files survive a restart; one that no longer applies is
/// skipped, never deleted, for people to read.
enum AdminActPool {
    /// Files read per call: an admin hands over a handful; more is an attack on the disk.
    static let filesMax = 64

    static func add(_ act: some AdminAct, directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/\(act.id.hex).bin"
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try Data(act.canonicalBytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Every act in `directory` that decodes, ascending by id. Whether each applies is for
    /// the caller to check.
    static func pending<Act: AdminAct>(_ type: Act.Type, directory: String) -> [Act] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".bin") }.sorted()
        return names.prefix(filesMax).compactMap { name in
            FileManager.default.contents(atPath: "\(directory)/\(name)").flatMap { try? Act(canonicalBytes: Array($0)) }
        }.sorted { $0.id.bytes.lexicographicallyPrecedes($1.id.bytes) }
    }
}
