import CSodium
import Foundation
import SGPOSClient
import SGPOSCodec
import SGPOSCrypto
import Testing

/// Passphrase-encrypted key files (`sgpos-encrypted-key/1`, issue 13): the real `sgpos`
/// binary encrypts, decrypts and loads them, with the passphrase from the environment.
@Suite(.serialized) struct KeyFileEncryptionTests {
    static let passphrase = "correct horse battery staple"
    static let damaged = "wrong passphrase or damaged key file"

    /// generate → protect → show → an independent decryption with libsodium → unprotect:
    /// the same key and label throughout, mode 0600, the documented fields only.
    @Test func protectAndUnprotectKeepTheKey() throws {
        let scratch = Scratch()
        let path = scratch.path + "/till.key"
        let generated = try sgpos(["keys", "generate", "--out", path, "--label", "till 7 (Tampines)"])
        #expect(generated.status == 0, "\(generated.error)")
        let publicKey = generated.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let plain = try object(path)
        let seed = try #require(Hex.decode(plain["seed"] as? String ?? ""))

        let plainShow = try sgpos(["keys", "show", path])
        #expect(plainShow.status == 0 && plainShow.output.hasPrefix(publicKey) && plainShow.output.contains("plain (sgpos-key/1)"),
                "plain files load as before: \(plainShow.output)\(plainShow.error)")

        let protect = try sgpos(["keys", "protect", path], passphrase: Self.passphrase)
        #expect(protect.status == 0 && protect.output.contains("encrypted"), "\(protect.error)")
        #expect(try mode(path) == 0o600)
        let sealed = try object(path)
        #expect(Set(sealed.keys) == ["format", "label", "publicKey", "encryption", "nonce", "ciphertext"])
        let encryption = try #require(sealed["encryption"] as? [String: Any])
        #expect(Set(encryption.keys) == ["kdf", "opsLimit", "memLimitBytes", "salt"])
        #expect(sealed["format"] as? String == "sgpos-encrypted-key/1" && sealed["label"] as? String == "till 7 (Tampines)")
        #expect(sealed["publicKey"] as? String == publicKey)
        #expect(encryption["kdf"] as? String == "argon2id13" && encryption["opsLimit"] as? Int == 2
                && encryption["memLimitBytes"] as? Int == 64 << 20, "libsodium's interactive limits by default")
        #expect((encryption["salt"] as? String)?.count == 32 && (sealed["nonce"] as? String)?.count == 48
                && (sealed["ciphertext"] as? String)?.count == 96)
        #expect(!String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self).contains(Hex.encode(seed)))
        #expect(try independentlyDecrypted(sealed, passphrase: Self.passphrase) == seed, "the format is as documented")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "no temporary file is left behind: \(leftovers)")

        let show = try sgpos(["keys", "show", path], passphrase: Self.passphrase)
        #expect(show.status == 0 && show.output.hasPrefix(publicKey) && show.output.contains("encrypted"), "\(show.output)\(show.error)")
        let again = try sgpos(["keys", "protect", path], passphrase: Self.passphrase)
        #expect(again.status != 0 && again.error.contains("encrypted already"), "\(again.error)")

        let unprotect = try sgpos(["keys", "unprotect", path], passphrase: Self.passphrase)
        #expect(unprotect.status == 0, "\(unprotect.error)")
        #expect(try mode(path) == 0o600)
        let back = try object(path)
        #expect(back["format"] as? String == "sgpos-key/1" && back["seed"] as? String == Hex.encode(seed)
                && back["publicKey"] as? String == publicKey && back["label"] as? String == "till 7 (Tampines)")
        let twice = try sgpos(["keys", "unprotect", path], passphrase: Self.passphrase)
        #expect(twice.status != 0 && twice.error.contains("is not encrypted"), "\(twice.error)")
    }

    /// `keys generate --encrypt` writes an encrypted file at once; `--kdf-limits moderate`
    /// stores libsodium's moderate limits, which loading reads from the file.
    @Test func generateEncrypted() throws {
        let scratch = Scratch()
        let path = scratch.path + "/admin.key"
        let generated = try sgpos(["keys", "generate", "--out", path, "--encrypt", "--kdf-limits", "moderate"], passphrase: Self.passphrase)
        #expect(generated.status == 0, "\(generated.error)")
        #expect(try mode(path) == 0o600)
        let encryption = try object(path)["encryption"] as? [String: Any] ?? [:]
        #expect(encryption["opsLimit"] as? Int == 3 && encryption["memLimitBytes"] as? Int == 256 << 20)
        let show = try sgpos(["keys", "show", path], passphrase: Self.passphrase)
        #expect(show.status == 0 && show.output.hasPrefix(generated.output.trimmingCharacters(in: .whitespacesAndNewlines)),
                "\(show.error)")
        let noEncrypt = try sgpos(["keys", "generate", "--out", scratch.path + "/x.key", "--kdf-limits", "moderate"])
        #expect(noEncrypt.status != 0 && noEncrypt.error.contains("--kdf-limits needs --encrypt"))
        let noPassphrase = try sgpos(["keys", "generate", "--out", scratch.path + "/y.key", "--encrypt"])
        #expect(noPassphrase.status != 0 && noPassphrase.error.contains("SGPOS_KEY_PASSPHRASE_FILE")
                && noPassphrase.error.contains("SGPOS_KEY_PASSPHRASE"), "\(noPassphrase.error)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/y.key"))
        let short = try sgpos(["keys", "generate", "--out", scratch.path + "/z.key", "--encrypt"], passphrase: "1234567")
        #expect(short.status != 0 && short.error.contains("at least 8"), "\(short.error)")
    }

    /// A wrong passphrase and every changed field fail the same clear way, never a crash;
    /// unknown, null and out-of-range fields are refused by name.
    @Test func wrongPassphraseAndChangedFilesAreRefused() throws {
        let scratch = Scratch()
        let path = scratch.path + "/node.key"
        #expect(try sgpos(["keys", "generate", "--out", path, "--label", "node", "--encrypt"], passphrase: Self.passphrase).status == 0)
        let other = scratch.path + "/other.key"
        let otherKey = try sgpos(["keys", "generate", "--out", other]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let original = try object(path)

        let wrong = try sgpos(["keys", "show", path], passphrase: Self.passphrase + "!")
        expectRefused(wrong, Self.damaged)

        func flipped(_ hex: String, at index: Int) -> String {
            var digits = Array(hex)
            digits[index] = digits[index] == "0" ? "1" : "0"
            return String(digits)
        }
        func encryption(_ field: String, _ value: Any) -> [String: Any] {
            var changed = original
            var inner = original["encryption"] as? [String: Any] ?? [:]
            inner[field] = value
            changed["encryption"] = inner
            return changed
        }
        let ciphertext = original["ciphertext"] as? String ?? ""
        let salt = (original["encryption"] as? [String: Any])?["salt"] as? String ?? ""
        let cases: [(name: String, file: [String: Any], message: String)] = [
            ("a flipped ciphertext byte", original.merging(["ciphertext": flipped(ciphertext, at: 10)]) { $1 }, Self.damaged),
            ("a flipped tag byte", original.merging(["ciphertext": flipped(ciphertext, at: ciphertext.count - 1)]) { $1 }, Self.damaged),
            ("another public key", original.merging(["publicKey": otherKey]) { $1 }, Self.damaged),
            ("another label", original.merging(["label": "manager"]) { $1 }, Self.damaged),
            ("another nonce", original.merging(["nonce": flipped(original["nonce"] as? String ?? "", at: 0)]) { $1 }, Self.damaged),
            ("another salt", encryption("salt", flipped(salt, at: 5)), Self.damaged),
            ("other limits", encryption("opsLimit", 3), Self.damaged),
            ("limits below interactive", encryption("opsLimit", 1), "encryption.opsLimit must be"),
            ("memory above sensitive", encryption("memLimitBytes", 1 << 40), "encryption.memLimitBytes"),
            ("another kdf", encryption("kdf", "scrypt"), "kdf argon2id13"),
            ("upper-case hex", original.merging(["ciphertext": ciphertext.uppercased()]) { $1 }, "lower-case hex"),
            ("a short ciphertext", original.merging(["ciphertext": String(ciphertext.dropLast(2))]) { $1 }, "lower-case hex"),
            ("an unknown field", original.merging(["comment": "x"]) { $1 }, "unknown field \"comment\""),
            ("an unknown nested field", encryption("parallelism", 1), "unknown field \"encryption.parallelism\""),
            ("a null field", original.merging(["nonce": NSNull()]) { $1 }, "nonce: expected a string, got null"),
            ("a missing field", original.filter { $0.key != "ciphertext" }, "missing field \"ciphertext\""),
            ("a plain file with an extra field", ["format": "sgpos-key/1", "label": "x", "publicKey": otherKey, "seed": "00", "ciphertext": ""],
             "unknown field \"ciphertext\""),
            ("an unknown format", original.merging(["format": "sgpos-key/2"]) { $1 }, "format \"sgpos-key/2\" is neither"),
        ]
        for (name, file, message) in cases {
            try write(file, to: path)
            let result = try sgpos(["keys", "show", path], passphrase: Self.passphrase)
            expectRefused(result, message, name)
        }
        try write(original, to: path)
        #expect(try sgpos(["keys", "show", path], passphrase: Self.passphrase).status == 0, "the original still opens")
    }

    /// Where the passphrase comes from: the file (mode 0600, trailing newline dropped) wins
    /// over the variable; a readable, empty or missing file and no passphrase at all are
    /// refused, naming what to do.
    @Test func passphraseSources() throws {
        let scratch = Scratch()
        let path = scratch.path + "/till.key"
        #expect(try sgpos(["keys", "generate", "--out", path, "--encrypt"], passphrase: Self.passphrase).status == 0)
        let file = scratch.path + "/passphrase"
        try Data((Self.passphrase + "\n").utf8).write(to: URL(fileURLWithPath: file))
        #expect(chmod(file, 0o600) == 0)

        let fromFile = try sgpos(["keys", "show", path], passphraseFile: file)
        #expect(fromFile.status == 0, "a trailing newline is dropped: \(fromFile.error)")
        let fileWins = try sgpos(["keys", "show", path], passphrase: "not the passphrase", passphraseFile: file)
        #expect(fileWins.status == 0, "\(fileWins.error)")
        try Data((Self.passphrase + "\r\n").utf8).write(to: URL(fileURLWithPath: file))
        #expect(try sgpos(["keys", "show", path], passphraseFile: file).status == 0, "so is a trailing CRLF")
        try Data((Self.passphrase + " ").utf8).write(to: URL(fileURLWithPath: file))
        expectRefused(try sgpos(["keys", "show", path], passphraseFile: file), Self.damaged, "other trailing bytes are the passphrase's")

        let none = try sgpos(["keys", "show", path])
        expectRefused(none, "is encrypted and needs a passphrase: set SGPOS_KEY_PASSPHRASE_FILE")
        #expect(none.error.contains("or SGPOS_KEY_PASSPHRASE"))

        #expect(chmod(file, 0o640) == 0)
        expectRefused(try sgpos(["keys", "show", path], passphraseFile: file), "has mode 640")
        #expect(try sgpos(["keys", "show", path], passphraseFile: file).error.contains("chmod 600 \(file)"))
        #expect(chmod(file, 0o600) == 0)
        try Data("\n".utf8).write(to: URL(fileURLWithPath: file))
        expectRefused(try sgpos(["keys", "show", path], passphraseFile: file), "is empty")
        expectRefused(try sgpos(["keys", "show", path], passphraseFile: scratch.path + "/nowhere"), "cannot read passphrase file")
        expectRefused(try sgpos(["keys", "show", path], passphraseFile: scratch.path), "is not a regular file")

        // The key file's own mode is checked as before, encrypted or not.
        #expect(chmod(path, 0o644) == 0)
        expectRefused(try sgpos(["keys", "show", path], passphrase: Self.passphrase), "chmod 600 \(path)")
    }

    /// Commands that load keys take encrypted ones: `chain append` with an encrypted node
    /// key and signer, and `node run` with an encrypted node key and validator key.
    @Test func commandsAndTheNodeLoadEncryptedKeys() async throws {
        let scratch = Scratch()
        let net = scratch.path + "/net", data = scratch.path + "/node1"
        #expect(try await sgpos(["genesis", "create", "--out", net]).status == 0)
        #expect(try await sgpos(["chain", "init", "--data", data, "--genesis", net + "/genesis.json", "--outlet", "1"]).status == 0)
        let file = scratch.path + "/passphrase"
        try Data((Self.passphrase + "\n").utf8).write(to: URL(fileURLWithPath: file))
        #expect(chmod(file, 0o600) == 0)
        for key in ["outlet-1", "admin-hq-admin", "validator-tampines"] {
            let protect = try await sgpos(["keys", "protect", "\(net)/keys/\(key).key"], passphraseFile: file)
            #expect(protect.status == 0, "\(protect.error)")
        }
        #expect(try await sgpos(["keys", "generate", "--out", scratch.path + "/manager.key"]).status == 0)
        let append = ["chain", "append", "--data", data, "--node-key", net + "/keys/outlet-1.key"]
        let registration = """
            [{"signer": "\(net)/keys/admin-hq-admin.key",
              "body": {"type": "register-key", "keyFile": "\(scratch.path)/manager.key", "role": "operator", "principal": "manager-1"}}]
            """
        let refused = try await sgpos(append, input: registration)
        expectRefused(refused, "outlet-1.key is encrypted and needs a passphrase")
        let appended = try await sgpos(append, input: registration, passphraseFile: file)
        #expect(appended.status == 0 && appended.output.contains("\"committed\""), "\(appended.output)\(appended.error)")

        let config = net + "/node-1.json"
        let ports = try freePorts(2), port = ports[0], peerPort = ports[1]
        try JSONSerialization.data(withJSONObject: [
            "outletId": 1, "genesis": "genesis.json", "nodeKey": "keys/outlet-1.key", "validatorKeys": ["keys/validator-tampines.key"],
            "http": ["host": "127.0.0.1", "port": port], "peer": ["host": "127.0.0.1", "port": peerPort], "peers": [] as [Any],
        ]).write(to: URL(fileURLWithPath: config))
        let run = ["node", "run", "--data", data, "--config", config, "--log-level", "warning"]
        let wrong = scratch.path + "/wrong"
        try Data("not the passphrase".utf8).write(to: URL(fileURLWithPath: wrong))
        #expect(chmod(wrong, 0o600) == 0)
        expectRefused(try await sgpos(run, passphraseFile: wrong, timeoutSeconds: 60), "outlet-1.key: \(Self.damaged)")

        let node = Process()
        node.executableURL = URL(fileURLWithPath: CLI.binary)
        node.arguments = run
        node.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SGPOS_KEY_PASSPHRASE") }
            .merging(["SGPOS_KEY_PASSPHRASE_FILE": file]) { $1 }
        let log = scratch.path + "/node.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        node.standardOutput = FileHandle.nullDevice
        node.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try node.run()
        defer {
            if node.isRunning { node.terminate() }
            node.waitUntilExit()
        }
        let client = NodeClient(baseURL: "http://127.0.0.1:\(port)", timeoutSeconds: 2, attemptsMax: 1)
        var patience = Patience(seconds: 60, checks: 300)
        var health: API.Health?
        while health == nil, node.isRunning, patience.keepWaiting() {
            health = try? await client.health()
            if health == nil { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        let logText = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(health?.outletId == 1 && health?.height == 1, "the node serves with its encrypted keys: \(logText)")
        node.terminate()
        node.waitUntilExit()
        #expect(node.terminationReason == .exit && node.terminationStatus == 0, "\(logText)")
    }

    // MARK: - Helpers

    /// Runs `sgpos` with only the passphrase variables given here (none inherited).
    func sgpos(_ arguments: [String], input: String? = nil, passphrase: String? = nil, passphraseFile: String? = nil,
               timeoutSeconds: Double = 120) throws -> CLI.Result {
        try CLI.run(arguments, input: input, timeoutSeconds: timeoutSeconds,
                    wrapper: Self.environment(passphrase: passphrase, passphraseFile: passphraseFile))
    }

    func sgpos(_ arguments: [String], input: String? = nil, passphrase: String? = nil, passphraseFile: String? = nil,
               timeoutSeconds: Double = 120) async throws -> CLI.Result {
        try await CLI.run(arguments, input: input, timeoutSeconds: timeoutSeconds,
                          wrapper: Self.environment(passphrase: passphrase, passphraseFile: passphraseFile))
    }

    /// `env` arguments: unset both variables, then set those given.
    static func environment(passphrase: String?, passphraseFile: String?) -> [String] {
        ["-u", "SGPOS_KEY_PASSPHRASE", "-u", "SGPOS_KEY_PASSPHRASE_FILE"]
            + (passphrase.map { ["SGPOS_KEY_PASSPHRASE=\($0)"] } ?? [])
            + (passphraseFile.map { ["SGPOS_KEY_PASSPHRASE_FILE=\($0)"] } ?? [])
    }

    /// A refusal: exit status 1 (not a crash), one line on standard error containing `message`.
    func expectRefused(_ result: CLI.Result, _ message: String, _ name: String = "",
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "\(name): exit status \(result.status): \(result.error)", sourceLocation: sourceLocation)
        #expect(result.error.contains(message), "\(name): \(result.error)", sourceLocation: sourceLocation)
        #expect(result.error.split(separator: "\n").count <= 2, "\(name): one clear line: \(result.error)", sourceLocation: sourceLocation)
    }

    func object(_ path: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    func write(_ object: [String: Any], to path: String) throws {
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, 0o600) == 0)
    }

    func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    /// Decrypts an `sgpos-encrypted-key/1` file with libsodium directly, following the
    /// documented format (docs/SECURITY.md) rather than the code under test.
    func independentlyDecrypted(_ file: [String: Any], passphrase: String) throws -> [UInt8] {
        #expect(sodium_init() >= 0)
        let encryption = try #require(file["encryption"] as? [String: Any])
        let salt = try #require(Hex.decode(encryption["salt"] as? String ?? ""))
        let ops = try #require(encryption["opsLimit"] as? Int), memory = try #require(encryption["memLimitBytes"] as? Int)
        let nonce = try #require(Hex.decode(file["nonce"] as? String ?? ""))
        let sealed = try #require(Hex.decode(file["ciphertext"] as? String ?? ""))
        let publicKey = try #require(Hex.decode(file["publicKey"] as? String ?? ""))
        var key = [UInt8](repeating: 0, count: 32)
        let text = passphrase.utf8.map { CChar(bitPattern: $0) }
        #expect(crypto_pwhash_argon2id(&key, 32, text, UInt64(text.count), salt, UInt64(ops), memory,
                                       crypto_pwhash_argon2id_ALG_ARGON2ID13) == 0)
        func string(_ value: String) -> [UInt8] { withUnsafeBytes(of: UInt32(value.utf8.count).bigEndian, Array.init) + Array(value.utf8) }
        func number(_ value: Int) -> [UInt8] { withUnsafeBytes(of: UInt64(value).bigEndian, Array.init) }
        let associated = string(file["format"] as? String ?? "") + publicKey + string(file["label"] as? String ?? "")
            + string(encryption["kdf"] as? String ?? "") + number(ops) + number(memory) + salt
        var seed = [UInt8](repeating: 0, count: 32)
        let opened = crypto_aead_xchacha20poly1305_ietf_decrypt(
            &seed, nil, nil, sealed, UInt64(sealed.count), associated, UInt64(associated.count), nonce, key)
        try #require(opened == 0)
        return seed
    }

    /// `count` different loopback TCP ports nothing listens on now (the kernel's picks,
    /// all held until each is chosen).
    func freePorts(_ count: Int) throws -> [Int] {
        var descriptors: [Int32] = []
        defer { descriptors.forEach { close($0) } }
        return try (0..<count).map { _ in
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            descriptors.append(descriptor)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
                }
            }
            guard descriptor >= 0, bound else { throw CLIFailure("no free loopback port") }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }
}
