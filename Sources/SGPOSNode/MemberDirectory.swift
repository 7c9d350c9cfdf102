import CSodium
import Foundation
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import Synchronization

/// libsodium must be initialised once per process; `sodium_init` may be called again
/// (SGPOSCrypto calls it too).
private let sodiumReady: Bool = {
    let result = sodium_init()
    precondition(result >= 0, "libsodium failed to initialise (sodium_init returned \(result))")
    return true
}()

/// The node's off-chain member directory (PDPA, issue 13): one sealed file per member
/// under `DATA/members/`, readable only with keys derived from the node's signing key,
/// erasable without touching the chain.
///
/// On disk (docs/SECURITY.md, "Personal data off the chain"):
/// - file name: the lower-case hex of BLAKE2b-256 (libsodium `crypto_generichash`, 32
///   bytes) of the member id's UTF-8 bytes, keyed with the name key — it does not reveal
///   the member id, and one id always maps to one file;
/// - content: `"SGPOSMD1"` (8 bytes) ‖ nonce (24 random bytes) ‖ XChaCha20-Poly1305-IETF
///   ciphertext and tag of the padded record, under the sealing key, with associated data
///   `"SGPOSMD1"` ‖ the file name (64 ASCII bytes); a byte changed or a file renamed to
///   another member's name fails to open;
/// - record: the ``MemberProfile`` as JSON (sorted keys), padded (ISO/IEC 7816-4,
///   libsodium `sodium_pad`) to a multiple of 2,048 bytes, so every file has the same
///   size (2,096 bytes) whatever it holds.
///
/// Keys: `crypto_kdf_derive_from_key` (keyed BLAKE2b) of the node key's 32-byte seed with
/// context `"SGPOSMBR"`: subkey 1 (32 bytes) names files, subkey 2 (32 bytes) seals them.
/// No key is on the disk; a stolen disk without the node key (passphrase-encrypted, or
/// kept elsewhere) gives only ciphertext and keyed hashes.
///
/// Writes are atomic and durable: a temporary file created 0600 beside the record,
/// written, fsync'd, renamed over it, the directory fsync'd; a record replaced is then
/// overwritten with zeros in place. Erasure overwrites the file with zeros in place,
/// fsyncs it, unlinks it and fsyncs the directory. *Limit:* copy-on-write filesystems
/// (btrfs, ZFS), journals that hold data, snapshots and SSD wear levelling may keep
/// old blocks; those leftovers are ciphertext under a key derived from the node key.
///
/// Bounded (``recordsMax`` records) and thread-safe: every operation holds one lock for
/// its few small file operations.
public final class MemberDirectory: Sendable {
    /// The default bound on records.
    public static let defaultRecordsMax = 1_000_000
    /// `DATA/members`.
    public let path: String
    /// At most this many records; a new one beyond it is refused (``MemberDirectoryError/full``).
    public let recordsMax: Int
    private let keys: MemberDirectoryKeys
    private let state = Mutex(State())

    private struct State {
        /// Records on disk, counted on first use.
        var count: Int?
    }

    /// The directory of the node whose data directory is `dataDirectory`, with keys derived
    /// from `nodeKey`. Nothing is read or created until first use.
    public init(dataDirectory: String, nodeKey: SigningKey, recordsMax: Int = MemberDirectory.defaultRecordsMax) {
        precondition(recordsMax > 0, "member directory bound")
        path = dataDirectory + "/members"
        self.recordsMax = recordsMax
        var seed = nodeKey.seed
        defer { Self.wipe(&seed) }
        keys = MemberDirectoryKeys(seed: seed)
    }

    /// Format tag at the start of every record file, and part of its associated data.
    static let magic: [UInt8] = Array("SGPOSMD1".utf8)
    static let nonceBytes = Int(crypto_aead_xchacha20poly1305_ietf_npubbytes())
    static let tagBytes = Int(crypto_aead_xchacha20poly1305_ietf_abytes())
    /// Records are padded to a multiple of this (every record fits one block).
    static let paddingBlock = 2_048
    /// A record file larger than this is damaged (or not ours): it is not read.
    static let fileBytesMax = 65_536

    /// The file name of `memberID`'s record: 64 lower-case hex digits.
    public func fileName(for memberID: String) -> String {
        precondition(sodiumReady)
        let input = Array(memberID.utf8)
        var digest = [UInt8](repeating: 0, count: 32)
        let result = keys.withNameKey { key, keyCount in
            input.withNonNullBuffer { bytes, count in
                crypto_generichash(&digest, digest.count, bytes, UInt64(count), key, keyCount)
            }
        }
        precondition(result == 0, "crypto_generichash failed")
        return Hex.encode(digest)
    }

    /// Stores (or, with `replacing`, replaces) `profile` after checking it
    /// (``MemberProfile/validate(nowMs:)`` against `nowMs`); returns what was stored.
    /// Without `replacing`, a record on file is left as it is and ``MemberDirectoryError/onFile(_:)``
    /// thrown — decided under the directory's lock, so of two first stores at once one wins.
    @discardableResult
    public func put(_ profile: MemberProfile, nowMs: Int64, replacing: Bool = true) throws -> MemberProfile {
        try profile.validate(nowMs: nowMs)
        let name = fileName(for: profile.memberId)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var plaintext = Array(try encoder.encode(profile))
        defer { Self.wipe(&plaintext) }
        let sealed = try seal(plaintext, name: name)
        try state.withLock { state in
            try prepare(&state)
            let target = path + "/" + name
            // The record replaced, if any, is zeroed in place once the new one is in.
            let previous = open(target, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
            if previous < 0 {
                guard errno == ENOENT else { throw io("open", name) }
                guard state.count! < recordsMax else { throw MemberDirectoryError.full(recordsMax) }
            }
            defer { if previous >= 0 { close(previous) } }
            guard replacing || previous < 0 else { throw MemberDirectoryError.onFile(name) }
            try writeAtomically(sealed, name: name)
            if previous >= 0 {
                try overwriteWithZeros(previous, name: name)
            } else {
                state.count! += 1
            }
        }
        return profile
    }

    /// `memberID`'s record, or nil when there is none (never stored, or erased). Throws
    /// ``MemberDirectoryError/damaged(_:)`` when the file does not open (changed, renamed,
    /// or sealed under another node key).
    public func get(_ memberID: String) throws -> MemberProfile? {
        let name = fileName(for: memberID)
        return try state.withLock { state -> MemberProfile? in
            try prepare(&state)
            guard var plaintext = try openRecord(name: name) else { return nil }
            defer { Self.wipe(&plaintext) }
            guard let profile = try? StrictJSON.decode(MemberProfile.self, from: Data(plaintext)),
                  profile.memberId == memberID else {
                throw MemberDirectoryError.damaged(name)
            }
            return profile
        }
    }

    /// Erases `memberID`'s record: its bytes overwritten with zeros in place, fsync'd, the
    /// file unlinked, the directory fsync'd. Returns the erased file's name (the member id's
    /// keyed hash, for the log), or nil when there was no record.
    @discardableResult
    public func erase(_ memberID: String) throws -> String? {
        let name = fileName(for: memberID)
        return try state.withLock { state -> String? in
            try prepare(&state)
            let target = path + "/" + name
            let descriptor = open(target, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else {
                if errno == ENOENT { return nil }
                throw io("open", name)
            }
            do {
                defer { close(descriptor) }
                try overwriteWithZeros(descriptor, name: name)
            }
            guard unlink(target) == 0 else { throw io("unlink", name) }
            try syncDirectory()
            state.count = max(0, state.count! - 1)
            return name
        }
    }

    /// Records on disk.
    public func count() throws -> Int {
        try state.withLock { state in
            try prepare(&state)
            return state.count!
        }
    }

    // MARK: sealing

    func seal(_ plaintext: [UInt8], name: String) throws -> [UInt8] {
        precondition(sodiumReady)
        let block = Self.paddingBlock
        let capacity = (plaintext.count / block + 1) * block
        var padded = plaintext + [UInt8](repeating: 0, count: capacity - plaintext.count)
        defer { Self.wipe(&padded) }
        var paddedCount = 0
        guard sodium_pad(&paddedCount, &padded, plaintext.count, block, capacity) == 0, paddedCount <= capacity else {
            throw MemberDirectoryError.io("member directory: padding a record failed")
        }
        let nonce = secureRandomBytes(Self.nonceBytes)
        let associated = Self.magic + Array(name.utf8)
        var ciphertext = [UInt8](repeating: 0, count: paddedCount + Self.tagBytes)
        let result = keys.withSealKey { key, _ in
            crypto_aead_xchacha20poly1305_ietf_encrypt(
                &ciphertext, nil, padded, UInt64(paddedCount), associated, UInt64(associated.count), nil, nonce, key)
        }
        guard result == 0 else { throw MemberDirectoryError.io("member directory: sealing a record failed") }
        return Self.magic + nonce + ciphertext
    }

    /// The record in file `name`, unsealed and unpadded; nil when there is no such file.
    private func openRecord(name: String) throws -> [UInt8]? {
        guard var file = try readFile(name) else { return nil }
        defer { Self.wipe(&file) }
        return try unseal(file, name: name)
    }

    func unseal(_ file: [UInt8], name: String) throws -> [UInt8] {
        precondition(sodiumReady)
        let header = Self.magic.count + Self.nonceBytes
        guard file.count >= header + Self.tagBytes + Self.paddingBlock, file.starts(with: Self.magic) else {
            throw MemberDirectoryError.damaged(name)
        }
        let nonce = Array(file[Self.magic.count..<header])
        let ciphertext = Array(file[header...])
        let associated = Self.magic + Array(name.utf8)
        var padded = [UInt8](repeating: 0, count: ciphertext.count - Self.tagBytes)
        defer { Self.wipe(&padded) }
        let result = keys.withSealKey { key, _ in
            crypto_aead_xchacha20poly1305_ietf_decrypt(
                &padded, nil, nil, ciphertext, UInt64(ciphertext.count), associated, UInt64(associated.count), nonce, key)
        }
        guard result == 0 else { throw MemberDirectoryError.damaged(name) }
        var count = 0
        guard sodium_unpad(&count, padded, padded.count, Self.paddingBlock) == 0 else { throw MemberDirectoryError.damaged(name) }
        return Array(padded[..<count])
    }

    // MARK: files

    /// Creates the directory (0700) and, once, counts the records and removes the
    /// temporary files a crash left (zeroed first; they hold ciphertext only).
    private func prepare(_ state: inout State) throws {
        guard state.count == nil else { return }
        if mkdir(path, 0o700) != 0 && errno != EEXIST { throw io("mkdir", "members") }
        guard let directory = opendir(path) else { throw io("opendir", "members") }
        defer { closedir(directory) }
        var count = 0
        var leftovers: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if Self.isRecordName(name) {
                count += 1
            } else if name.hasPrefix("."), name.contains(".tmp-"), leftovers.count < 1_024 {
                leftovers.append(name)
            }
        }
        for name in leftovers {
            let descriptor = open(path + "/" + name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
            if descriptor >= 0 {
                try? overwriteWithZeros(descriptor, name: name)
                close(descriptor)
            }
            unlink(path + "/" + name)
        }
        state.count = count
    }

    /// 64 lower-case hex digits.
    static func isRecordName(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The file's bytes, or nil when it does not exist; a file over ``fileBytesMax`` is damaged.
    private func readFile(_ name: String) throws -> [UInt8]? {
        let descriptor = open(path + "/" + name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw io("open", name)
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8_192)
        defer { Self.wipe(&chunk) }
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw io("read", name) }
            if count == 0 { break }
            bytes += chunk[0..<count]
            guard bytes.count <= Self.fileBytesMax else { throw MemberDirectoryError.damaged(name) }
        }
        return bytes
    }

    /// A new file beside `name` (0600, exclusive), written, fsync'd, renamed over `name`,
    /// the directory fsync'd: a reader finds the old record or the new one, never a part.
    private func writeAtomically(_ bytes: [UInt8], name: String) throws {
        let temporary = "." + name + ".tmp-" + Hex.encode(secureRandomBytes(6))
        let temporaryPath = path + "/" + temporary
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw io("create", temporary) }
        var renamed = false
        defer { if !renamed { unlink(temporaryPath) } }
        do {
            defer { close(descriptor) }
            guard fchmod(descriptor, 0o600) == 0 else { throw io("chmod", temporary) }
            try writeAll(descriptor, bytes, name: temporary)
            guard fsync(descriptor) == 0 else { throw io("fsync", temporary) }
        }
        guard rename(temporaryPath, path + "/" + name) == 0 else { throw io("rename", temporary) }
        renamed = true
        try syncDirectory()
    }

    /// Overwrites the whole open file with zeros in place and fsyncs it.
    private func overwriteWithZeros(_ descriptor: Int32, name: String) throws {
        let size = lseek(descriptor, 0, SEEK_END)
        guard size >= 0, lseek(descriptor, 0, SEEK_SET) == 0 else { throw io("seek", name) }
        let zeros = [UInt8](repeating: 0, count: 8_192)
        var remaining = Int(size)
        while remaining > 0 {
            let step = min(remaining, zeros.count)
            try writeAll(descriptor, Array(zeros[0..<step]), name: name)
            remaining -= step
        }
        guard fsync(descriptor) == 0 else { throw io("fsync", name) }
    }

    private func writeAll(_ descriptor: Int32, _ bytes: [UInt8], name: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw io("write", name) }
                offset += count
            }
        }
    }

    private func syncDirectory() throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw io("open", "members") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw io("fsync", "members") }
    }

    /// An I/O failure naming the step and the file (a keyed hash: never personal data).
    private func io(_ step: String, _ name: String) -> MemberDirectoryError {
        .io("member directory: \(step) \(name): \(String(cString: strerror(errno)))")
    }

    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { sodium_memzero(base, buffer.count) }
        }
    }
}

/// Why the member directory could not do what was asked. Messages name files by their
/// keyed hash only, never a member id or personal data.
public enum MemberDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The directory holds ``MemberDirectory/recordsMax`` records already.
    case full(Int)
    /// The file does not open: changed, renamed, truncated, or sealed under another node key.
    case damaged(String)
    /// The file system refused.
    case io(String)
    /// A record is on file and the store was not to replace it.
    case onFile(String)

    public var description: String {
        switch self {
        case .full(let max): "the member directory holds \(max) records, its limit; erase records no longer needed"
        case .damaged(let name): "member directory: record \(name) does not open (damaged, renamed, or sealed under another node key)"
        case .io(let message): message
        case .onFile(let name): "member directory: record \(name) is on file already"
        }
    }
}

/// The member directory's two 32-byte keys, derived from the node key's seed, in memory
/// this type allocates itself and wipes (sodium_memzero) when it goes away.
final class MemberDirectoryKeys: @unchecked Sendable {
    // @unchecked: `storage` is written once in init and only read afterwards.
    private let storage: UnsafeMutableRawBufferPointer
    static let keyBytes = 32
    /// `crypto_kdf` context (8 bytes) and subkey ids.
    static let context = "SGPOSMBR"
    static let nameKeyID: UInt64 = 1
    static let sealKeyID: UInt64 = 2

    init(seed: [UInt8]) {
        precondition(sodiumReady)
        precondition(seed.count == Int(crypto_kdf_keybytes()), "the node key seed is 32 bytes")
        precondition(Self.context.utf8.count == Int(crypto_kdf_contextbytes()), "crypto_kdf context is 8 bytes")
        storage = .allocate(byteCount: 2 * Self.keyBytes, alignment: 16)
        let base = storage.baseAddress!.assumingMemoryBound(to: UInt8.self)
        for (offset, id) in [(0, Self.nameKeyID), (Self.keyBytes, Self.sealKeyID)] {
            let result = Self.context.withCString { context in
                crypto_kdf_derive_from_key(base + offset, Self.keyBytes, id, context, seed)
            }
            precondition(result == 0, "crypto_kdf_derive_from_key failed")
        }
    }

    func withNameKey<R>(_ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
        try body(UnsafePointer(storage.baseAddress!.assumingMemoryBound(to: UInt8.self)), Self.keyBytes)
    }

    func withSealKey<R>(_ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
        try body(UnsafePointer(storage.baseAddress!.assumingMemoryBound(to: UInt8.self) + Self.keyBytes), Self.keyBytes)
    }

    deinit {
        sodium_memzero(storage.baseAddress!, storage.count)
        storage.deallocate()
    }
}

extension Array where Element == UInt8 {
    /// A pointer that is never null, even for an empty array (libsodium's nonnull inputs).
    fileprivate func withNonNullBuffer<R>(_ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
        if isEmpty {
            let placeholder: [UInt8] = [0]
            return try placeholder.withUnsafeBufferPointer { try body($0.baseAddress!, 0) }
        }
        return try withUnsafeBufferPointer { try body($0.baseAddress!, $0.count) }
    }
}
