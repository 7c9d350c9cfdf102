import Foundation
import SGPOSChain
import SGPOSCheckpointStore
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSReports
import SGPOSRetail
import SGPOSStore

/// `sgpos export audit` (docs/EXPORT.md, "Audit files"): the transactions of a range of
/// business dates as CSV files an inspector opens in a spreadsheet, with the chains that
/// prove them, the genesis, and a manifest of SHA-256 hashes signed by the exporting node.
///
/// Each outlet's chain file runs from height 1 to the block of its first day-close that
/// names a date after `to` (its head when there is none), so every transaction in it is
/// dated as it will ever be. The exporter imports its own chain files into a scratch
/// store (every block validated again) and derives the CSV files from that store, exactly
/// as `sgpos audit check-export` will: what it writes is what the check accepts.
public struct AuditExporter: Sendable {
    public let store: LedgerStore
    public let from: CivilTime.Date
    public let to: CivilTime.Date
    /// The exporting node's key: the genesis node key of one of its outlets (or a node
    /// key the outlet's registry holds).
    public let nodeKey: SigningKey

    public init(store: LedgerStore, from: CivilTime.Date, to: CivilTime.Date, nodeKey: SigningKey) throws {
        guard from <= to else { throw ExportError(.auditFiles, "from \(from) is after to \(to)") }
        self.store = store
        self.from = from
        self.to = to
        self.nodeKey = nodeKey
    }

    /// Writes the export into `directory` (new, or empty), using `scratch` (new) for the
    /// store it imports its chain files into; removes `scratch` when done. Returns the manifest.
    /// `progress`, when given, is called with (work done, work in all): every block is
    /// written, imported again and read for the CSV files, so the work is three times the
    /// blocks of the chain files.
    @discardableResult
    public func write(to directory: String, scratch: String, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> AuditManifest {
        let files = FileManager.default
        if files.fileExists(atPath: directory) {
            guard (try? files.contentsOfDirectory(atPath: directory))?.isEmpty == true else {
                throw ExportError(.auditFiles, "\(directory) exists and is not an empty directory; audit files go into a new one")
            }
        }
        // The key first: a refused export leaves nothing behind to refuse the next one.
        guard let outlet = try Self.outlet(signedBy: nodeKey.publicKey, in: store) else {
            throw ExportError(.auditFiles, "key \(nodeKey.publicKey.hex) is not the node key of any outlet of this network")
        }
        do {
            try files.createDirectory(atPath: directory + "/chain", withIntermediateDirectories: true)
        } catch {
            throw ExportError(.auditFiles, "\(directory) cannot be created: \(error)")
        }
        var written: [AuditManifest.File] = []
        let ends = try chainEnds()
        let blocks = ends.reduce(0) { $0 + $1.height }
        var done: UInt64 = 0
        try writeChains(ends, into: directory, files: &written) { count in
            done += count
            progress?(done, 3 * blocks)
        }
        let checkpoints = try writeCheckpoints(into: directory, ends: ends, files: &written)

        defer { try? files.removeItem(atPath: scratch) }
        let imported = try AuditChainFiles.importChains(from: directory, genesis: store.genesis, into: scratch) { count in
            progress?(blocks + count, 3 * blocks)
        }
        var read: UInt64 = 0
        var writers: [String: HashingFileWriter] = [:]
        for (name, _) in AuditTables.files { writers[name] = try HashingFileWriter(path: directory + "/" + name) }
        try AuditTables.derive(store: imported, from: from, to: to, visited: {
            read += 1
            if read % 256 == 0 || read == blocks { progress?(2 * blocks + read, 3 * blocks) }
        }) { name, line in try writers[name]!.write(line) }
        for (name, _) in AuditTables.files {
            let writer = writers[name]!
            let sha256 = try writer.finish()
            written.append(.init(name: name, bytes: writer.bytes, sha256: sha256, rows: writer.lines - 1))
        }
        written.append(try writeWhole(Array(try Self.genesisJSON(store.genesis)), "genesis.json", into: directory))
        written.append(try writeWhole(Array(AuditReadme.text.utf8), "README.txt", into: directory))

        let manifest = AuditManifest(
            format: AuditManifest.formatName, genesisId: store.genesis.id.hex, from: from.description, to: to.description,
            exportedBy: .init(outlet: outlet, nodeKey: nodeKey.publicKey.hex), chains: ends, checkpointsThrough: checkpoints,
            files: written.sorted { $0.name < $1.name })
        let bytes = try manifest.encoded()
        _ = try writeWhole(bytes, "manifest.json", into: directory)
        let signature = nodeKey.sign(AuditManifest.signedBytes(bytes))
        _ = try writeWhole(Array((Hex.encode(signature.bytes) + "\n").utf8), "manifest.sig", into: directory)
        return manifest
    }

    /// The outlet whose node key `key` is: in the genesis, or registered with the node role.
    public static func outlet(signedBy key: PublicKey, in store: LedgerStore) throws -> OutletID? {
        if let outlet = store.genesis.outlets.first(where: { $0.nodeKey == key }) { return outlet.id }
        return try store.environment.read { transaction in
            for outlet in store.genesis.outlets.map(\.id) {
                if let bytes = try store.stateReader(outlet, transaction).read(.key(key)) {
                    let record = try KeyRecord(canonicalBytes: bytes)
                    if record.role == .node, record.status != .revoked, record.outletID == outlet { return outlet }
                }
            }
            return nil
        }
    }

    /// The genesis document as `sgpos genesis` writes it (JSON, sorted keys).
    public static func genesisJSON(_ genesis: Genesis) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(GenesisDocument(genesis))
    }

    /// Per outlet, the last height of its chain file (see the type's documentation).
    func chainEnds() throws -> [AuditManifest.ChainEnd] {
        try store.environment.read { transaction in
            try store.genesis.outlets.map(\.id).map { outlet in
                let head = try store.head(outlet, transaction)
                let calendar = try BusinessCalendar(store: store, outlet: outlet, through: head.height, transaction)
                let end = calendar.closes.first { $0.date > to }?.height ?? head.height
                let id = end == 0 ? "" : try store.blockHeader(outlet, height: end, transaction)?.header.id.hex ?? ""
                return .init(outlet: outlet, height: end, blockId: id)
            }
        }
    }

    private func writeChains(_ ends: [AuditManifest.ChainEnd], into directory: String, files: inout [AuditManifest.File],
                             written: (UInt64) -> Void) throws {
        for end in ends {
            let name = AuditChainFiles.blocksFile(end.outlet)
            let writer = try HashingFileWriter(path: directory + "/" + name)
            var height: UInt64 = 1
            while height <= end.height {
                let last = min(end.height, height + 255)
                let blocks = try store.environment.read { transaction in
                    try (height...last).map { number in
                        guard let block = try store.block(end.outlet, height: number, transaction) else {
                            throw ExportError(.store, "outlet \(end.outlet): block \(number) is missing from the store")
                        }
                        return block.encoded
                    }
                }
                for block in blocks { try writer.write(AuditChainFiles.frame(block)) }
                written(UInt64(blocks.count))
                height = last + 1
            }
            files.append(.init(name: name, bytes: writer.bytes, sha256: try writer.finish(), rows: writer.lines))
        }
    }

    /// The final checkpoints whose every head is within the chain files, in height order.
    private func writeCheckpoints(into directory: String, ends: [AuditManifest.ChainEnd],
                                  files: inout [AuditManifest.File]) throws -> UInt64 {
        let writer = try HashingFileWriter(path: directory + "/" + AuditChainFiles.checkpointsFile)
        let limit = Dictionary(uniqueKeysWithValues: ends.map { ($0.outlet, $0.height) })
        var through: UInt64 = 0
        for certificate in try ConsensusStorage(environment: store.environment).all() {
            let value = try Checkpoint(canonicalBytes: certificate.value)
            guard value.heads.allSatisfy({ $0.height <= limit[$0.outlet] ?? 0 }) else { break }
            try writer.write(AuditChainFiles.frame(certificate.canonicalBytes))
            through = certificate.height
        }
        files.append(.init(name: AuditChainFiles.checkpointsFile, bytes: writer.bytes, sha256: try writer.finish(), rows: writer.lines))
        return through
    }

    private func writeWhole(_ bytes: [UInt8], _ name: String, into directory: String) throws -> AuditManifest.File {
        let writer = try HashingFileWriter(path: directory + "/" + name)
        try writer.write(bytes)
        return .init(name: name, bytes: writer.bytes, sha256: try writer.finish(), rows: nil)
    }
}
