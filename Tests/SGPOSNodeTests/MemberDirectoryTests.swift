import Foundation
@testable import SGPOSNode
import SGPOSCrypto
import SGPOSOperations
import Testing

/// The off-chain member directory (PDPA, issue 13): records round-trip, the disk holds
/// neither the member id nor any personal field in clear, a changed or renamed file
/// fails to open (an error, not a crash), erasure leaves nothing behind, limits hold, and
/// member ids that look like personal data are refused at the API edge.
@Suite struct MemberDirectoryTests {
    final class Directory {
        let path = NSTemporaryDirectory() + "sgpos-members-test-\(UUID().uuidString)"
        init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    static let now: Int64 = 1_780_000_000_000

    func profile(_ id: String = "M01-0042", name: String? = "Tan Ah Kow Zebedee", phone: String? = "+65 9123 4567",
                 email: String? = "ahkow.zebedee@example.sg", purpose: String = "loyalty programme") -> MemberProfile {
        MemberProfile(memberId: id, name: name, phone: phone, email: email, purpose: purpose,
                      consentAtMs: Self.now - 60_000, updatedAtMs: Self.now, recordedBy: "till-03")
    }

    /// Every regular file under `path`, recursively, as raw bytes.
    func allFiles(_ path: String) -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = path + "/" + relative
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = FileManager.default.contents(atPath: full) ?? Data()
            }
        }
        return files
    }

    /// Whether any file under `path` holds `needle`'s UTF-8 bytes.
    func diskContains(_ path: String, _ needle: String) -> Bool {
        allFiles(path).values.contains { $0.range(of: Data(needle.utf8)) != nil }
    }

    @Test func aRecordRoundTripsAndIsErased() throws {
        let data = Directory()
        let directory = MemberDirectory(dataDirectory: data.path, nodeKey: SigningKey.generate())
        let stored = profile()
        #expect(try directory.get(stored.memberId) == nil)
        #expect(try directory.put(stored, nowMs: Self.now) == stored)
        #expect(try directory.get(stored.memberId) == stored)
        #expect(try directory.count() == 1)
        // A correction replaces the record; still one file.
        var corrected = stored
        corrected.phone = nil
        corrected.email = "zebedee.new@example.sg"
        try directory.put(corrected, nowMs: Self.now)
        #expect(try directory.get(stored.memberId) == corrected)
        #expect(try directory.count() == 1)
        #expect(allFiles(directory.path).count == 1)
        // Another member is another file.
        let other = profile("M01-0043", name: "Lim Bee Hwa", phone: nil, email: nil)
        try directory.put(other, nowMs: Self.now)
        #expect(try directory.get("M01-0043") == other)
        #expect(try directory.count() == 2)

        #expect(try directory.erase(stored.memberId) == directory.fileName(for: stored.memberId))
        #expect(try directory.get(stored.memberId) == nil)
        #expect(try directory.erase(stored.memberId) == nil, "erasing twice finds nothing the second time")
        #expect(try directory.get("M01-0043") == other, "the other member is untouched")
        #expect(try directory.count() == 1)
        // A new instance (a restarted node) with the same node key reads what is there.
        let seed = SigningKey.generate()
        try FileManager.default.createDirectory(atPath: data.path + "/b", withIntermediateDirectories: true)
        let first = MemberDirectory(dataDirectory: data.path + "/b", nodeKey: seed)
        try first.put(stored, nowMs: Self.now)
        let restarted = MemberDirectory(dataDirectory: data.path + "/b", nodeKey: SigningKey(seed: seed.seed)!)
        #expect(try restarted.get(stored.memberId) == stored)
        #expect(try restarted.count() == 1)
    }

    @Test func theDiskHoldsNoPlaintextAndNoMemberID() throws {
        let data = Directory()
        let directory = MemberDirectory(dataDirectory: data.path, nodeKey: SigningKey.generate())
        let stored = profile()
        try directory.put(stored, nowMs: Self.now)
        let files = allFiles(data.path)
        #expect(files.count == 1)
        let (name, bytes) = try #require(files.first)
        #expect(name == "members/" + directory.fileName(for: stored.memberId))
        #expect(MemberDirectory.isRecordName(String(name.dropFirst("members/".count))))
        #expect(!name.contains(stored.memberId) && !name.contains("0042"))
        #expect(bytes.count == 8 + 24 + 2_048 + 16, "every record file has the same size")
        #expect(bytes.prefix(8) == Data("SGPOSMD1".utf8))
        for needle in [stored.memberId, stored.name!, stored.phone!, stored.email!, "9123", "Zebedee", "zebedee", stored.purpose,
                       "till-03", "memberId", "consentAtMs"] {
            #expect(!diskContains(data.path, needle), "\(needle) is on the disk in clear")
        }
        // Owner-only: the file 0600, the directory 0700.
        let fileMode = try FileManager.default.attributesOfItem(atPath: data.path + "/" + name)[.posixPermissions] as? Int
        let directoryMode = try FileManager.default.attributesOfItem(atPath: directory.path)[.posixPermissions] as? Int
        #expect(fileMode == 0o600 && directoryMode == 0o700)
        // The name is a keyed hash: another node key names the same member differently.
        let other = MemberDirectory(dataDirectory: data.path, nodeKey: SigningKey.generate())
        #expect(other.fileName(for: stored.memberId) != directory.fileName(for: stored.memberId))
        #expect(directory.fileName(for: stored.memberId) == directory.fileName(for: stored.memberId))
        // Two seals of the same record differ (fresh nonces).
        let plaintext = Array("{}".utf8)
        #expect(try directory.seal(plaintext, name: "a") != directory.seal(plaintext, name: "a"))
    }

    @Test func aChangedRenamedOrForeignFileFailsToOpen() throws {
        let data = Directory()
        let key = SigningKey.generate()
        let directory = MemberDirectory(dataDirectory: data.path, nodeKey: key)
        let stored = profile()
        try directory.put(stored, nowMs: Self.now)
        let path = directory.path + "/" + directory.fileName(for: stored.memberId)
        let original = try #require(FileManager.default.contents(atPath: path))

        // Every region flipped in turn: the magic, the nonce, the ciphertext, the tag.
        for offset in [0, 7, 8, 31, 32, 500, original.count - 17, original.count - 1] {
            var changed = original
            changed[offset] ^= 0x01
            try changed.write(to: URL(fileURLWithPath: path))
            #expect(throws: MemberDirectoryError.damaged(directory.fileName(for: stored.memberId)), "byte \(offset) flipped") {
                try directory.get(stored.memberId)
            }
        }
        // Truncated, empty, oversized.
        for changed in [original.prefix(40), Data(), original + Data(count: 70_000)] {
            try changed.write(to: URL(fileURLWithPath: path))
            #expect(throws: MemberDirectoryError.self) { try directory.get(stored.memberId) }
        }
        try original.write(to: URL(fileURLWithPath: path))
        #expect(try directory.get(stored.memberId) == stored)

        // Renamed to another member's name: the associated data (the name) does not match.
        let victim = "M01-0099"
        let victimPath = directory.path + "/" + directory.fileName(for: victim)
        try FileManager.default.copyItem(atPath: path, toPath: victimPath)
        #expect(throws: MemberDirectoryError.damaged(directory.fileName(for: victim))) { try directory.get(victim) }

        // Another node's key opens nothing.
        let stranger = MemberDirectory(dataDirectory: data.path, nodeKey: SigningKey.generate())
        #expect(try stranger.get(stored.memberId) == nil, "its name for the member is another file")
        try FileManager.default.copyItem(atPath: path, toPath: directory.path + "/" + stranger.fileName(for: stored.memberId))
        #expect(throws: MemberDirectoryError.self) { try stranger.get(stored.memberId) }
    }

    @Test func erasureLeavesNoFileAndNoPlaintext() throws {
        let data = Directory()
        let directory = MemberDirectory(dataDirectory: data.path, nodeKey: SigningKey.generate())
        let stored = profile()
        try directory.put(stored, nowMs: Self.now)
        var corrected = stored
        corrected.name = "Tan Ah Kow Zebedee Jr"
        try directory.put(corrected, nowMs: Self.now)
        #expect(try directory.erase(stored.memberId) != nil)
        #expect(allFiles(data.path).isEmpty, "no file left: \(allFiles(data.path).keys)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "no temporary or hidden file either")
        for needle in [stored.memberId, stored.name!, stored.phone!, stored.email!, "Zebedee"] {
            #expect(!diskContains(data.path, needle))
        }
        #expect(try directory.count() == 0)
    }

    @Test func erasureOverwritesTheFileInPlaceBeforeUnlinking() throws {
        let data = Directory()
        let directory = MemberDirectory(dataDirectory: data.path, nodeKey: SigningKey.generate())
        let stored = profile()
        try directory.put(stored, nowMs: Self.now)
        // A hard link keeps the erased inode reachable: its bytes must be zeros.
        let path = directory.path + "/" + directory.fileName(for: stored.memberId)
        let kept = data.path + "/kept-inode"
        #expect(link(path, kept) == 0)
        #expect(try directory.erase(stored.memberId) != nil)
        let left = try #require(FileManager.default.contents(atPath: kept))
        #expect(left.count == 2_096 && left.allSatisfy { $0 == 0 }, "the erased inode still holds non-zero bytes")
        // A replaced record's old inode is zeroed too.
        try directory.put(stored, nowMs: Self.now)
        let kept2 = data.path + "/kept-inode-2"
        #expect(link(path, kept2) == 0)
        var corrected = stored
        corrected.email = nil
        try directory.put(corrected, nowMs: Self.now)
        let replaced = try #require(FileManager.default.contents(atPath: kept2))
        #expect(replaced.allSatisfy { $0 == 0 }, "the replaced record's inode still holds non-zero bytes")
        #expect(try directory.get(stored.memberId) == corrected)
    }

    @Test func leftoverTemporaryFilesAreRemovedAndRecordsCounted() throws {
        let data = Directory()
        let key = SigningKey.generate()
        let directory = MemberDirectory(dataDirectory: data.path, nodeKey: key)
        try directory.put(profile("M1"), nowMs: Self.now)
        try directory.put(profile("M2"), nowMs: Self.now)
        let leftover = directory.path + "/." + directory.fileName(for: "M3") + ".tmp-0123456789ab"
        try Data(repeating: 7, count: 100).write(to: URL(fileURLWithPath: leftover))
        let restarted = MemberDirectory(dataDirectory: data.path, nodeKey: SigningKey(seed: key.seed)!)
        #expect(try restarted.count() == 2)
        #expect(!FileManager.default.fileExists(atPath: leftover))
    }

    /// A first store that must not replace (a till's): of many at once for one member,
    /// exactly one is stored and every other is told a record is on file; the record is the
    /// winner's whole.
    @Test func ofFirstStoresAtOnceOneWins() async throws {
        let data = Directory()
        let directory = MemberDirectory(dataDirectory: data.path, nodeKey: SigningKey.generate())
        let names = (0..<16).map { "Applicant Number \($0)" }
        let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
            for name in names {
                group.addTask {
                    do {
                        try directory.put(self.profile("M7", name: name), nowMs: Self.now, replacing: false)
                        return (name, true)
                    } catch {
                        #expect(error as? MemberDirectoryError == .onFile(directory.fileName(for: "M7")), "\(error)")
                        return (name, false)
                    }
                }
            }
            return await group.reduce(into: [(String, Bool)]()) { $0.append($1) }
        }
        let winners = outcomes.filter(\.1).map(\.0)
        #expect(winners.count == 1 && outcomes.count == 16)
        #expect(try directory.get("M7")?.name == winners.first)
        #expect(throws: MemberDirectoryError.onFile(directory.fileName(for: "M7"))) {
            try directory.put(profile("M7", name: "Late Till"), nowMs: Self.now, replacing: false)
        }
        try directory.put(profile("M7", name: "Operator Correction"), nowMs: Self.now)
        #expect(try directory.get("M7")?.name == "Operator Correction")
    }

    @Test func theDirectoryIsBounded() throws {
        let data = Directory()
        let directory = MemberDirectory(dataDirectory: data.path, nodeKey: SigningKey.generate(), recordsMax: 2)
        try directory.put(profile("M1"), nowMs: Self.now)
        try directory.put(profile("M2"), nowMs: Self.now)
        #expect(throws: MemberDirectoryError.full(2)) { try directory.put(profile("M3"), nowMs: Self.now) }
        try directory.put(profile("M2", name: "Corrected Name"), nowMs: Self.now)
        #expect(try directory.get("M2")?.name == "Corrected Name", "a correction is not a new record")
        try directory.erase("M1")
        try directory.put(profile("M3"), nowMs: Self.now)
        #expect(try directory.count() == 2)
        #expect(MemberDirectory.defaultRecordsMax == 1_000_000)
    }

    @Test func concurrentCallersSeeWholeRecords() async throws {
        let data = Directory()
        let directory = MemberDirectory(dataDirectory: data.path, nodeKey: SigningKey.generate())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for round in 0..<20 {
                        let id = "C\(worker)-\(round % 5)"
                        try directory.put(self.profile(id, name: "Worker \(worker) round \(round)"), nowMs: Self.now)
                        let read = try directory.get(id)
                        #expect(read?.memberId == id)
                        if round % 7 == 6 { try directory.erase(id) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names.allSatisfy(MemberDirectory.isRecordName), "no temporary file left: \(names)")
        #expect(try directory.count() == names.count)
    }

    // MARK: limits

    /// The message of the RequestError `body` throws, or nil.
    func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as RequestError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func fieldLimitsAndContentAreChecked() throws {
        let data = Directory()
        let directory = MemberDirectory(dataDirectory: data.path, nodeKey: SigningKey.generate())
        func put(_ record: MemberProfile) -> String? { refusal { try directory.put(record, nowMs: Self.now) } }
        // At the limits (characters, as JSON Schema's maxLength counts them): accepted.
        let atLimits = profile(name: String(repeating: "é", count: 128), phone: String(repeating: "9", count: 32),
                               email: String(repeating: "a", count: 242) + "@example.sg1", purpose: String(repeating: "p", count: 128))
        #expect(atLimits.email!.utf8.count == 254)
        #expect(put(atLimits) == nil)
        #expect(try directory.get(atLimits.memberId) == atLimits)
        // One character over each: refused, naming the field, quoting no value.
        let over: [(MemberProfile, String)] = [
            (profile(name: String(repeating: "é", count: 128) + "x"), "name is 129 characters; the limit is 128"),
            (profile(phone: String(repeating: "9", count: 33)), "phone is 33 characters; the limit is 32"),
            (profile(email: String(repeating: "a", count: 255)), "email is 255 characters; the limit is 254"),
            (profile(purpose: String(repeating: "p", count: 129)), "purpose is 129 characters; the limit is 128"),
        ]
        for (record, message) in over { #expect(put(record) == message) }
        // Control characters, empty fields, nothing to store.
        #expect(put(profile(name: "Tan\nAh Kow"))?.contains("name contains a control character (U+000A)") == true)
        #expect(put(profile(email: "a@b\u{7F}"))?.contains("email contains a control character (U+007F)") == true)
        #expect(put(profile(phone: "9\u{85}"))?.contains("phone contains a control character (U+0085)") == true)
        #expect(put(profile(purpose: "loyalty\u{2028}"))?.contains("purpose contains a control character (U+2028)") == true)
        #expect(put(profile(name: ""))?.contains("name is empty") == true)
        #expect(put(profile(purpose: ""))?.contains("purpose is empty") == true)
        #expect(put(profile(name: nil, phone: nil, email: nil))?.contains("at least one of name, phone and email") == true)
        var future = profile()
        future.consentAtMs = Self.now + 301_000
        #expect(put(future)?.contains("consentAtMs") == true)
        future.consentAtMs = 0
        #expect(put(future)?.contains("consentAtMs") == true)
        // The member id: its limit and pseudonymity.
        #expect(put(profile(String(repeating: "M", count: 33)))?.contains("member id is 33 bytes") == true)
        #expect(put(profile("91234567"))?.contains("pseudonymous (PDPA)") == true)
        #expect(put(profile(""))?.contains("member id is empty") == true)
        #expect(try directory.count() == 1, "nothing refused was stored")

        // The request body: strict JSON, no unknown or null fields.
        let request = MemberProfileRequest(name: "A", purpose: "loyalty", consentAtMs: Self.now)
        #expect(try request.profile(memberID: "M7", recordedBy: "till-03", nowMs: Self.now).name == "A")
        #expect(throws: (any Error).self) {
            try StrictJSON.decode(MemberProfileRequest.self, from: Data(#"{"name":"A","purpose":"p","consentAtMs":1,"nric":"S1234567D"}"#.utf8))
        }
        #expect(throws: (any Error).self) {
            try StrictJSON.decode(MemberProfileRequest.self, from: Data(#"{"name":null,"phone":"1","purpose":"p","consentAtMs":1}"#.utf8))
        }
    }

    @Test func memberIDsThatLookLikePersonalDataAreRefused() {
        let personal: [(String, String)] = [
            ("alice@example.com", "an e-mail address"), ("a@b", "an e-mail address"),
            ("91234567", "a phone number"), ("61234567", "a phone number"), ("81234567", "a phone number"), ("31234567", "a phone number"),
            ("9123 4567", "a phone number"), ("9123-4567", "a phone number"), ("+65 9123 4567", "a phone number"),
            ("+6591234567", "a phone number"), ("6591234567", "a phone number"), ("65-6123-4567", "a phone number"),
            ("M91234567", "a phone number"), ("card 81234567", "a phone number"),
            ("S1234567D", "an NRIC/FIN number"), ("t1234567j", "an NRIC/FIN number"), ("F1234567N", "an NRIC/FIN number"),
            ("G1234567X", "an NRIC/FIN number"), ("M1234567K", "an NRIC/FIN number"), ("ID-S1234567D", "an NRIC/FIN number"),
            ("S 1234567 D", "an NRIC/FIN number"), ("S-1234567-D", "an NRIC/FIN number"),
            // As sent in a URL path: percent-escapes are decoded for the check.
            ("alice%40example.com", "an e-mail address"), ("%2B65%209123%204567", "a phone number"), ("%53%31234567D", "an NRIC/FIN number"),
        ]
        for (id, kind) in personal {
            #expect(RequestLimits.personalDataKind(id) == kind, "\(id)")
            let message = refusal { try RequestLimits.memberID(id) }
            #expect(message?.contains("must be pseudonymous (PDPA)") == true, "\(id): \(message ?? "accepted")")
            #expect(message?.contains(id) == false, "the refusal quotes the id")
        }
        // Demo, bench and test ids, card numbers and other numbers that are no phone.
        let pseudonymous = ["", "M01-0001", "M04-0250", "M1", "M9", "T3-12", "F1-2-34567", "B0-999", "N123", "API-TEST-1",
                            "M-STRICT", "AUDITOR-1", "OFFLINE-12", "C-second", "NOPE", "12345678", "71234567", "912345678",
                            "9123456", "6012345678", "1234567890123456", "A1234567B", "S12345678D", "S123456D"]
        for id in pseudonymous {
            #expect(RequestLimits.personalDataKind(id) == nil, "\(id) is refused as \(RequestLimits.personalDataKind(id) ?? "")")
            #expect(refusal { try RequestLimits.memberID(id) } == nil, "\(id)")
        }
        // Not personal data, but not a member id's characters (letters, digits, ".", "_", "-").
        for id in ["+91234567", "M01%2D0001", "100%", "%zz", "M 1", "Mé"] {
            #expect(RequestLimits.personalDataKind(id) == nil, "\(id)")
            #expect(refusal { try RequestLimits.memberID(id) }?.contains("may hold only ASCII letters") == true, "\(id)")
        }
    }
}
