import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSExport

/// `sgpos audit check-export DIR --genesis G`: proves audit files against the chains they
/// carry, trusting only the genesis (docs/EXPORT.md, "Checking an export").
struct AuditCheckExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-export",
        abstract: "Prove an audit export (sgpos export audit) with the genesis alone.",
        discussion: "Exit 0 when every file is proven; otherwise exit 1 naming each finding (file and line).")
    @Argument(help: "The export's directory.") var directory: String
    @Option(help: "Trusted genesis file.") var genesis: String

    func run() throws {
        let trusted = try loadGenesis(genesis)
        let progress = ProgressLine(label: "check-export", unit: "blocks")
        let report = progress.finishing {
            AuditExportCheck(directory: directory, trustedGenesis: trusted).run(scratch: scratchDirectory("check-export")) { done, total in
                progress.update(done: done, total: total)
            }
        }
        for finding in report.findings { print("FAIL \(finding)") }
        guard report.isValid, let manifest = report.manifest else {
            print("INVALID: \(report.findings.count) finding(s)")
            throw ExitCode(1)
        }
        let rows = manifest.files.filter { $0.name.hasSuffix(".csv") }.reduce(0) { $0 + ($1.rows ?? 0) }
        print("OK export of \(manifest.from) … \(manifest.to) signed by outlet \(manifest.exportedBy.outlet): \(manifest.files.count) files, \(rows) CSV rows equal to what \(report.transactions) transactions in the chain files give (\(report.signatures) signatures checked)")
    }
}
