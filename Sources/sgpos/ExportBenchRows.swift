import SGPOSChain
import Foundation
import NIOCore
import SGPOSCommandSupport
import SGPOSExport
import SGPOSReports
import SGPOSStore

/// The rows the mirror writes for every block of every outlet (``BlockRows``, the same
/// code), in COPY text files, one per table, and a psql script that loads them with
/// `\copy` in one transaction: `sgpos export bench`'s yardstick, PostgreSQL's own COPY.
enum ExportBenchRows {
    struct Files {
        let script: String
        let counts: [String: Int]
        var total: Int { counts.values.reduce(0, +) }
    }

    static func write(store: LedgerStore, directory: String) throws -> Files {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var handles: [String: UnsafeMutablePointer<FILE>] = [:]
        for table in BlockRows.tables {
            guard let file = fopen(directory + "/\(table).copy", "w") else { throw CLIError("export bench: cannot write \(directory)") }
            handles[table] = file
        }
        var counts: [String: Int] = [:]
        for outlet in store.genesis.outlets.map(\.id) {
            let head = try store.environment.read { try store.head(outlet, $0).height }
            var period: UInt64 = 1
            var height: UInt64 = 1
            while height <= head {
                let (rows, _) = try BlockRows.read(store, outlet: outlet, height: height, period: period)
                for (table, values) in rows.rows where !values.isEmpty {
                    var buffer = ByteBuffer()
                    for row in values { CopyText.append(row, to: &buffer) }
                    let written = buffer.withUnsafeReadableBytes { fwrite($0.baseAddress, 1, $0.count, handles[table]!) }
                    guard written == buffer.readableBytes else { throw CLIError("export bench: writing \(table).copy failed") }
                    counts[table, default: 0] += values.count
                }
                period = rows.period
                height += 1
            }
        }
        for file in handles.values { fclose(file) }
        var script = "BEGIN;\n"
        for table in BlockRows.tables where counts[table, default: 0] > 0 {
            script += "\\copy \(table) (\(BlockRows.columns[table]!.joined(separator: ", "))) FROM '\(directory)/\(table).copy'\n"
        }
        script += "COMMIT;\n"
        let path = directory + "/load.sql"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        return Files(script: path, counts: counts)
    }
}
