import Foundation
import SGPOSChain
import SGPOSCrypto

/// `manifest.json` of an audit export (docs/EXPORT.md, "Manifest"): what was exported, by
/// which node, and the SHA-256 of every other file. `manifest.sig` holds, in hex and
/// followed by a LF, the Ed25519 signature by `exportedBy.nodeKey` over the ASCII bytes
/// `SGPOS/audit-manifest/v1`, one 0x00 byte, and the exact bytes of `manifest.json`.
public struct AuditManifest: Codable, Hashable, Sendable {
    public static let formatName = "sgpos-audit-export/1"
    public static let signatureTag = DomainTag("SGPOS/audit-manifest/v1")

    /// The node that wrote and signed the export.
    public struct Exporter: Codable, Hashable, Sendable {
        public var outlet: UInt32
        public var nodeKey: String
    }

    /// How far one outlet's chain file goes.
    public struct ChainEnd: Codable, Hashable, Sendable {
        public var outlet: UInt32
        public var height: UInt64
        /// The id of the block at `height` (empty at height 0).
        public var blockId: String
    }

    /// One file of the export (every file but the manifest and its signature).
    public struct File: Codable, Hashable, Sendable {
        public var name: String
        public var bytes: Int
        public var sha256: String
        /// Lines of a CSV file after its header; records of a chain file; null otherwise.
        public var rows: Int?

        public init(name: String, bytes: Int, sha256: String, rows: Int?) {
            self.name = name
            self.bytes = bytes
            self.sha256 = sha256
            self.rows = rows
        }
    }

    public var format: String
    public var genesisId: String
    /// First and last business date of the transactions in the CSV files (YYYY-MM-DD).
    public var from: String
    public var to: String
    public var exportedBy: Exporter
    public var chains: [ChainEnd]
    /// Height of the last checkpoint in `chain/checkpoints.certs` (0: none).
    public var checkpointsThrough: UInt64
    /// Sorted by name.
    public var files: [File]

    /// The bytes of `manifest.json`: this manifest as JSON with sorted keys, indented, and a final LF.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    /// What the node key signs.
    public static func signedBytes(_ manifest: [UInt8]) -> [UInt8] { signatureTag.prefix + manifest }
}
