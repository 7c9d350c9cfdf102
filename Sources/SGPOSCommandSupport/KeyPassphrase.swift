import Foundation

/// The passphrase of encrypted key files, taken from the environment (never from the
/// command line, where `ps` shows it to everyone):
///
/// - `SGPOS_KEY_PASSPHRASE_FILE`: a file holding the passphrase, refused when any group
///   or other permission bit is set (like a key file); one trailing newline is dropped.
/// - otherwise `SGPOS_KEY_PASSPHRASE`: the passphrase itself.
///
/// The bytes live in wiped memory (``SecretBytes``).
public struct KeyPassphrase: ~Copyable {
    /// The variable naming a passphrase file; it wins over ``valueVariable``.
    public static let fileVariable = "SGPOS_KEY_PASSPHRASE_FILE"
    /// The variable holding the passphrase itself.
    public static let valueVariable = "SGPOS_KEY_PASSPHRASE"
    /// The longest passphrase accepted, in bytes.
    public static let bytesMax = 4_096
    /// The shortest passphrase a key is encrypted with, in bytes.
    public static let encryptionBytesMin = 8

    let bytes: SecretBytes

    /// A passphrase given directly (for tests and embedders).
    public init(_ text: String) {
        var utf8 = Array(text.utf8)
        bytes = SecretBytes(copying: utf8)
        wipe(&utf8)
    }

    private init(bytes: consuming SecretBytes) {
        self.bytes = bytes
    }

    /// The passphrase from `environment`; `purpose` starts the error when there is none
    /// ("key file till.key is encrypted").
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment, purpose: String
    ) throws -> KeyPassphrase {
        if let path = environment[fileVariable], !path.isEmpty {
            return try fromFile(path)
        }
        if let text = environment[valueVariable], !text.isEmpty {
            guard text.utf8.count <= bytesMax else {
                throw CLIError("\(valueVariable) is longer than \(bytesMax) bytes")
            }
            return KeyPassphrase(text)
        }
        throw CLIError("\(purpose) and needs a passphrase: set \(fileVariable) to a file holding it (mode 0600), "
            + "or \(valueVariable)")
    }

    /// Reads a passphrase file: a regular file nobody else may read or change, at most
    /// ``bytesMax`` bytes once one trailing newline (`\n` or `\r\n`) is dropped, not empty.
    static func fromFile(_ path: String) throws -> KeyPassphrase {
        let what = "passphrase file \(path) (\(fileVariable))"
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CLIError("cannot read \(what): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        // The checks are on the descriptor read below, not on the path (no swap in between).
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw CLIError("\(what) is not a regular file")
        }
        if status.st_mode & 0o077 != 0 {
            throw CLIError("\(what) has mode \(String(status.st_mode & 0o777, radix: 8)): others on this machine can read "
                + "or change the passphrase; run chmod 600 \(path)")
        }
        // Room for the longest passphrase, a "\r\n", and one byte to notice a longer file.
        var secret = SecretBytes(capacity: bytesMax + 3, count: 0)
        var total = 0
        while total < secret.capacity {
            let got = secret.withMutableBytes { pointer, capacity in
                read(descriptor, pointer + total, capacity - total)
            }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw CLIError("cannot read \(what): \(String(cString: strerror(errno)))") }
            if got == 0 { break }
            total += got
        }
        var length = total
        secret.withMutableBytes { pointer, _ in
            if length > 0 && pointer[length - 1] == UInt8(ascii: "\n") {
                length -= 1
                if length > 0 && pointer[length - 1] == UInt8(ascii: "\r") { length -= 1 }
            }
        }
        guard length <= bytesMax else { throw CLIError("\(what) is longer than \(bytesMax) bytes") }
        guard length > 0 else { throw CLIError("\(what) is empty") }
        secret.resize(to: length)
        return KeyPassphrase(bytes: secret)
    }

    /// The passphrase's length in bytes.
    public var count: Int { bytes.count }
}
