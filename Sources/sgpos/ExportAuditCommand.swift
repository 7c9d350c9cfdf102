import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSExport
import SGPOSRetail

/// `sgpos export audit`: audit files an inspector opens in a spreadsheet (docs/EXPORT.md).
struct ExportAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Write CSV audit files of a range of business dates, with the chains that prove them and a signed manifest.",
        discussion: """
            Writes into a new (or empty) directory: one CSV file per kind of record, the chain files, the genesis and \
            manifest.json (SHA-256 of every file) signed by the node key in manifest.sig. \
            `sgpos audit check-export DIR --genesis G` proves the files against the chains.
            """)
    @Option(help: "Node data directory.") var data: String
    @Option(help: "First business date (YYYY-MM-DD, Singapore).") var from: String
    @Option(help: "Last business date (YYYY-MM-DD).") var to: String
    @Option(help: "Directory to write (new or empty).") var out: String
    @Option(help: "The exporting node's key file (its node key signs the manifest).") var key: String

    func run() throws {
        guard let start = CivilTime.Date(iso: from) else { throw ValidationError("--from \(from) is not a date (YYYY-MM-DD)") }
        guard let end = CivilTime.Date(iso: to) else { throw ValidationError("--to \(to) is not a date (YYYY-MM-DD)") }
        let store = try openStore(data)
        let manifest: AuditManifest
        do {
            let exporter = try AuditExporter(store: store, from: start, to: end, nodeKey: try KeyFile.load(key))
            let progress = ProgressLine(label: "export audit", unit: "blocks")
            manifest = try progress.finishing {
                try exporter.write(to: out, scratch: scratchDirectory("export-audit")) { done, total in progress.update(done: done, total: total) }
            }
        } catch let error as ExportError {
            throw CLIError(error.description)
        }
        for file in manifest.files where file.name.hasSuffix(".csv") {
            print("\(file.name): \(file.rows ?? 0) row(s)")
        }
        let heights = manifest.chains.map { "outlet \($0.outlet) to height \($0.height)" }.joined(separator: ", ")
        print("chains: \(heights); checkpoints through \(manifest.checkpointsThrough)")
        print("wrote \(manifest.files.count + 2) files to \(out) for \(manifest.from) … \(manifest.to), manifest signed by outlet \(manifest.exportedBy.outlet)")
    }
}

/// A new directory path under the system's temporary directory for a scratch store.
func scratchDirectory(_ purpose: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("sgpos-\(purpose)-\(getpid())-\(UInt64.random(in: 0 ... .max))").path
}
