import Foundation
import SGPOSAudit
import SGPOSChain
import SGPOSCheckpointStore
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSRetail
import SGPOSStore

/// `sgpos audit check-export DIR --genesis G` (docs/EXPORT.md, "Checking an export"):
/// proves, with the genesis alone, that an audit export is what the chains say.
///
/// 1. `genesis.json` is the trusted genesis; `manifest.json` names it, is signed
///    (`manifest.sig`) by the node key of the outlet it names, and lists every other file
///    of the directory — no more, no fewer — with its size and SHA-256.
/// 2. The chain files import into a new store, every block validated by the chain's rules,
///    and that store passes the full audit (``AuditVerifier``: signatures, links, Merkle
///    and state roots, indexes, checkpoint certificates and network roots); its heads are
///    the manifest's.
/// 3. The CSV files derived again from that store (``AuditTables``) equal the files byte
///    for byte; the first line that differs in each file is named.
public struct AuditExportCheck: Sendable {
    /// What the check found.
    public struct Report: Sendable {
        /// Empty: the export is proven.
        public var findings: [String] = []
        public var manifest: AuditManifest?
        /// Transactions the chain files hold, and signatures the audit checked.
        public var transactions = 0
        public var signatures = 0
        public var isValid: Bool { findings.isEmpty }
    }

    public let directory: String
    public let trustedGenesis: Genesis

    public init(directory: String, trustedGenesis: Genesis) {
        self.directory = directory
        self.trustedGenesis = trustedGenesis
    }

    /// Runs the check, building its store in `scratch` (new; removed when done).
    /// `progress`, when given, is called with (work done, work in all): the blocks of the
    /// chain files imported, audited and read again for the CSV files.
    public func run(scratch: String, progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) -> Report {
        var report = Report()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do {
            try check(&report, scratch: scratch, progress: progress)
        } catch let error as ExportError {
            report.findings.append(error.message)
        } catch {
            report.findings.append("\(error)")
        }
        return report
    }

    private func check(_ report: inout Report, scratch: String, progress: (@Sendable (UInt64, UInt64) -> Void)?) throws {
        guard let genesisData = FileManager.default.contents(atPath: directory + "/genesis.json"),
              let document = try? JSONDecoder().decode(GenesisDocument.self, from: genesisData),
              let genesis = try? document.genesis() else {
            report.findings.append("genesis.json is missing or is not a genesis document")
            return
        }
        if genesis.canonicalBytes != trustedGenesis.canonicalBytes {
            report.findings.append("genesis.json is genesis \(genesis.id.hex), not the trusted genesis \(trustedGenesis.id.hex)")
        }
        guard let manifestData = FileManager.default.contents(atPath: directory + "/manifest.json") else {
            report.findings.append("manifest.json is missing")
            return
        }
        guard let manifest = try? JSONDecoder().decode(AuditManifest.self, from: manifestData),
              manifest.format == AuditManifest.formatName else {
            report.findings.append("manifest.json is not an \(AuditManifest.formatName) manifest")
            return
        }
        report.manifest = manifest
        checkSignature(manifest, [UInt8](manifestData), &report)
        if manifest.genesisId != trustedGenesis.id.hex {
            report.findings.append("manifest.json names genesis \(manifest.genesisId), not the trusted genesis \(trustedGenesis.id.hex)")
        }
        try checkFiles(manifest, &report)
        guard let from = CivilTime.Date(iso: manifest.from), let to = CivilTime.Date(iso: manifest.to), from <= to else {
            report.findings.append("manifest.json: from \(manifest.from) and to \(manifest.to) are not a range of dates")
            return
        }

        let blocks = manifest.chains.reduce(0) { $0 + $1.height }
        let store = try AuditChainFiles.importChains(from: directory, genesis: trustedGenesis, into: scratch) { count in
            progress?(count, 3 * blocks)
        }
        let signer = PublicKey(hex: manifest.exportedBy.nodeKey)
        if try signer.map({ try AuditExporter.outlet(signedBy: $0, in: store) }) ?? nil != manifest.exportedBy.outlet {
            report.findings.append("manifest.sig: key \(manifest.exportedBy.nodeKey) is not the node key of outlet \(manifest.exportedBy.outlet)")
        }
        let audit = try AuditVerifier().verify(store: store, trustedGenesis: trustedGenesis) { done, _ in
            progress?(blocks + done, 3 * blocks)
        }
        report.findings += audit.findings.map { "chain files: \($0)" }
        report.transactions = audit.transactionCount
        report.signatures = audit.signaturesVerified
        let ends = try store.environment.read { transaction in
            try trustedGenesis.outlets.map(\.id).map { outlet -> AuditManifest.ChainEnd in
                let head = try store.head(outlet, transaction)
                return .init(outlet: outlet, height: head.height, blockId: head.height == 0 ? "" : head.blockID.hex)
            }
        }
        if ends != manifest.chains {
            report.findings.append("the chain files end at \(ends.map { "outlet \($0.outlet) height \($0.height)" }), the manifest says \(manifest.chains.map { "outlet \($0.outlet) height \($0.height)" })")
        }
        let latest = try ConsensusStorage(environment: store.environment).latest()?.height ?? 0
        if latest != manifest.checkpointsThrough {
            report.findings.append("the checkpoint file ends at checkpoint \(latest), the manifest says \(manifest.checkpointsThrough)")
        }
        try compareTables(store: store, from: from, to: to, &report) { read in
            if read % 256 == 0 || read == blocks { progress?(2 * blocks + read, 3 * blocks) }
        }
    }

    private func checkSignature(_ manifest: AuditManifest, _ bytes: [UInt8], _ report: inout Report) {
        let text = FileManager.default.contents(atPath: directory + "/manifest.sig").map { String(decoding: $0, as: UTF8.self) } ?? ""
        let hex = text.hasSuffix("\n") ? String(text.dropLast()) : text
        guard let key = PublicKey(hex: manifest.exportedBy.nodeKey), let signature = Signature(hex: hex) else {
            report.findings.append("manifest.sig is missing or not a signature in hex, or the manifest's node key is not a key")
            return
        }
        if !key.isValidSignature(signature, for: AuditManifest.signedBytes(bytes)) {
            report.findings.append("manifest.sig is not a signature of manifest.json by \(manifest.exportedBy.nodeKey)")
        }
    }

    /// Every file listed, of its size and hash; every file of the directory listed; the
    /// files an export of this genesis holds, each once.
    private func checkFiles(_ manifest: AuditManifest, _ report: inout Report) throws {
        var expected = Set(AuditTables.files.map(\.name) + ["genesis.json", "README.txt", AuditChainFiles.checkpointsFile])
        for outlet in trustedGenesis.outlets { expected.insert(AuditChainFiles.blocksFile(outlet.id)) }
        let listed = manifest.files.map(\.name)
        if Set(listed) != expected || listed.count != expected.count {
            report.findings.append("manifest.json lists \(listed.sorted()), an export of this genesis holds \(expected.sorted())")
        }
        for file in manifest.files where expected.contains(file.name) {
            let path = directory + "/" + file.name
            guard FileManager.default.fileExists(atPath: path) else {
                report.findings.append("\(file.name) is listed in manifest.json but missing")
                continue
            }
            let (sha256, bytes) = try HashingFileWriter.digest(of: path)
            if sha256 != file.sha256 || bytes != file.bytes {
                report.findings.append("\(file.name) is \(bytes) bytes with SHA-256 \(sha256); manifest.json says \(file.bytes) bytes, \(file.sha256)")
            }
        }
        let present = Set((FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory) && !isDirectory.boolValue
        })
        for extra in present.subtracting(listed).subtracting(["manifest.json", "manifest.sig"]).sorted() {
            report.findings.append("\(extra) is not listed in manifest.json")
        }
    }

    /// Derives the CSV files from the imported chains and compares them with the given ones.
    private func compareTables(store: LedgerStore, from: CivilTime.Date, to: CivilTime.Date, _ report: inout Report,
                               read: (UInt64) -> Void) throws {
        var visited: UInt64 = 0
        var readers: [String: (reader: BufferedFileReader, line: Int, failed: Bool)] = [:]
        for (name, _) in AuditTables.files {
            readers[name] = (try BufferedFileReader(path: directory + "/" + name), 0, false)
        }
        var findings: [String] = []
        try AuditTables.derive(store: store, from: from, to: to, visited: {
            visited += 1
            read(visited)
        }) { name, line in
            guard var entry = readers[name], !entry.failed else { return }
            entry.line += 1
            let found = try entry.reader.read(line.count)
            if found != line {
                entry.failed = true
                let shown = String(decoding: (found + (try entry.reader.readLine())).prefix { $0 != 0x0A }, as: UTF8.self)
                    .trimmingCharacters(in: .newlines)
                let want = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .newlines)
                findings.append("\(name) line \(entry.line) differs from the chain files: it reads \"\(shown)\"; the chains give \"\(want)\"")
            }
            readers[name] = entry
        }
        for (name, _) in AuditTables.files {
            guard let entry = readers[name], !entry.failed else { continue }
            if try !entry.reader.atEnd() {
                findings.append("\(name) has more lines after line \(entry.line) than the chain files give")
            }
        }
        report.findings += findings
    }
}

/// Reads a file in 1 MiB pieces (a missing file reads as empty).
final class BufferedFileReader {
    private let handle: FileHandle?
    private var buffer: [UInt8] = []
    private var position = 0

    init(path: String) throws { handle = FileHandle(forReadingAtPath: path) }
    deinit { try? handle?.close() }

    private func fill() throws -> Bool {
        guard let handle, let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else { return false }
        buffer = Array(buffer[position...]) + data
        position = 0
        return true
    }

    /// The next `count` bytes (fewer at the end of the file).
    func read(_ count: Int) throws -> [UInt8] {
        while buffer.count - position < count, try fill() {}
        let end = min(buffer.count, position + count)
        defer { position = end }
        return Array(buffer[position..<end])
    }

    /// The rest of the current line, through its LF.
    func readLine() throws -> [UInt8] {
        var line: [UInt8] = []
        while true {
            if position == buffer.count, try !fill() { return line }
            let byte = buffer[position]
            position += 1
            line.append(byte)
            if byte == 0x0A { return line }
        }
    }

    func atEnd() throws -> Bool { position == buffer.count ? try !fill() : false }
}
