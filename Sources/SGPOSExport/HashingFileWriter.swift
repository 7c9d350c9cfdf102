import Crypto
import Foundation

/// Writes a new file through a 1 MiB buffer, counting its bytes and lines and hashing it
/// (SHA-256) as it goes, so a file of any size is written and hashed in one pass.
final class HashingFileWriter {
    let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var hasher = SHA256()
    private(set) var bytes = 0
    private(set) var lines = 0

    init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ExportError(.auditFiles, "\(path) cannot be created")
        }
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ data: [UInt8]) throws {
        hasher.update(data: data)
        bytes += data.count
        lines += 1
        buffer += data
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw ExportError(.auditFiles, "\(path) cannot be written: \(error)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and closes; returns the file's SHA-256 in hex.
    func finish() throws -> String {
        try flush()
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw ExportError(.auditFiles, "\(path) cannot be written: \(error)")
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The SHA-256 (hex) and size of the file at `path`, read in 1 MiB pieces.
    static func digest(of path: String) throws -> (sha256: String, bytes: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ExportError(.auditFiles, "\(path) cannot be read") }
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes = 0
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
            hasher.update(data: data)
            bytes += data.count
        }
        return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), bytes)
    }
}
