import CSodium

/// Secret bytes (a passphrase, a derived key, a decrypted seed) in memory this type
/// allocates itself and wipes (sodium_memzero) when it goes away. It cannot be copied,
/// so no second copy of the buffer outlives the wipe.
struct SecretBytes: ~Copyable {
    private let storage: UnsafeMutableRawBufferPointer
    /// Bytes allocated (and wiped at the end).
    let capacity: Int
    /// How many of them are the secret.
    private(set) var count: Int

    /// `capacity` zero bytes, of which `count` (at most `capacity`) are the secret.
    init(capacity: Int, count: Int? = nil) {
        precondition(capacity >= 0 && (count ?? capacity) <= capacity, "secret byte count out of range")
        storage = .allocate(byteCount: max(capacity, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        self.capacity = capacity
        self.count = count ?? capacity
    }

    /// A copy of `bytes`; the caller wipes its own.
    init(copying bytes: some Collection<UInt8>) {
        self.init(capacity: bytes.count)
        storage.copyBytes(from: bytes)
    }

    /// Makes the first `newCount` bytes of the allocation the secret; bytes after them are wiped.
    mutating func resize(to newCount: Int) {
        precondition(newCount >= 0 && newCount <= capacity, "secret byte count out of range")
        sodium_memzero(storage.baseAddress! + newCount, capacity - newCount)
        count = newCount
    }

    /// Reads the secret's `count` bytes.
    func withBytes<R>(_ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
        try body(storage.baseAddress!.assumingMemoryBound(to: UInt8.self), count)
    }

    /// Writes into the whole allocation (`capacity` bytes, not only `count`).
    func withMutableBytes<R>(_ body: (UnsafeMutablePointer<UInt8>, Int) throws -> R) rethrows -> R {
        try body(storage.baseAddress!.assumingMemoryBound(to: UInt8.self), capacity)
    }

    deinit {
        sodium_memzero(storage.baseAddress!, storage.count)
        storage.deallocate()
    }
}

/// Wipes a byte array in place (best effort: an earlier copy-on-write copy is not reached).
func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { buffer in
        if let base = buffer.baseAddress { sodium_memzero(base, buffer.count) }
    }
}
