import Foundation
import SGPOSCodec
import SGPOSCrypto

/// Replaces `path` with `data` so that a reader finds the old file or the new one, never
/// a part, and no one else can read it at any moment: a new file beside it created with
/// mode 0600, written, fsync'd, renamed over `path`; then the directory is fsync'd so
/// the rename survives a power loss. Missing parent directories are created.
public func writePrivateFileAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let temporary = directory + "/." + url.lastPathComponent + ".tmp-" + Hex.encode(secureRandomBytes(6))
    func failure(_ step: String) -> CLIError {
        CLIError("cannot write \(path): \(step) \(temporary): \(String(cString: strerror(errno)))")
    }
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw failure("create") }
    var written = false
    defer { if !written { unlink(temporary) } }
    do {
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0 else { throw failure("chmod") }
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw failure("write") }
                offset += count
            }
        }
        guard fsync(descriptor) == 0 else { throw failure("fsync") }
    }
    guard rename(temporary, path) == 0 else { throw failure("rename") }
    written = true
    let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if directoryDescriptor >= 0 {
        defer { close(directoryDescriptor) }
        guard fsync(directoryDescriptor) == 0 else {
            throw CLIError("cannot write \(path): fsync \(directory): \(String(cString: strerror(errno)))")
        }
    }
}
