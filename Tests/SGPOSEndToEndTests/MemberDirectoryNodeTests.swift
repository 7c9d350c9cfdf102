import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SGPOSClient
import SGPOSCrypto
import Testing

/// Personal data off the chain (PDPA, issue 13 item 5) against a real node process: a
/// till stores a member's name, phone and e-mail in the node's member directory, the
/// outlet's manager reads and erases it, no one else may; nothing of it is on the disk in
/// clear at any time, nothing is left after erasure, and the chain still verifies.
@Suite(.serialized) struct MemberDirectoryNodeTests {
    /// Distinctive values, so a scan of the disk cannot match anything else.
    static let name = "Zebedee Quixotic-Tan"
    static let phone = "+65 9876 5432"
    static let email = "zq.tan.pdpa-probe@example.sg"

    /// Every regular file under `path`, recursively, as raw bytes.
    func files(under path: String) -> [String: Data] {
        var found: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = path + "/" + relative
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                found[relative] = FileManager.default.contents(atPath: full) ?? Data()
            }
        }
        return found
    }

    /// The files under `path` holding any of `needles` (UTF-8 bytes).
    func filesHolding(_ needles: [String], under path: String) -> [String] {
        files(under: path).compactMap { name, bytes in
            needles.contains { bytes.range(of: Data($0.utf8)) != nil } ? name : nil
        }.sorted()
    }

    @Test func profilesAreStoredSealedReadByManagersAndErased() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        try #require(try await CLI.demo(demo, outlets: 2, sales: 2).status == 0)
        let node = try NodeProcess.start(demo: demo, outlet: 1, faultInjection: false)
        defer { node.stop() }
        try await node.waitHealthy(peers: 0)
        let admin = node.admin
        let till = try NodeTests().loadKey(demo + "/keys/outlet-1-till-03.key")
        let manager = try NodeTests().loadKey(demo + "/keys/outlet-1-manager.key")
        let manager2 = try NodeTests().loadKey(demo + "/keys/outlet-2-manager.key")
        let till2 = try NodeTests().loadKey(demo + "/keys/outlet-2-till-03.key")
        let auditor = try NodeTests().loadKey(demo + "/keys/auditor.key")
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }

        /// One request, signed by `key` (or unsigned when nil).
        func send(_ key: SigningKey?, _ method: HTTPMethod, _ target: String, body: String? = nil) async throws
            -> (status: Int, json: [String: Any], text: String) {
            var request = HTTPClientRequest(url: node.client.baseURL + target)
            request.method = method
            if let body {
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
            }
            if let key { request.sign(with: key, body: body.map { Array($0.utf8) }) }
            let response = try await http.execute(request, timeout: .seconds(10))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            return (Int(response.status.code), json, text)
        }

        let member = "M01-0001"
        let profile = "/v1/members/\(member)/profile"
        let consentAt = Int64(Date().timeIntervalSince1970 * 1_000) - 5_000
        let body = #"{"name":"\#(Self.name)","phone":"\#(Self.phone)","email":"\#(Self.email)","purpose":"loyalty programme","consentAtMs":\#(consentAt)}"#

        // Nothing yet.
        #expect(try await send(manager, .GET, profile).status == 404)
        // Who may not store: another outlet's till and manager, the auditor, no signature.
        for (signer, label) in [(till2, "outlet 2's till"), (manager2, "outlet 2's manager"), (auditor, "the auditor")] {
            let answer = try await send(signer, .PUT, profile, body: body)
            #expect(answer.status == 403 && answer.json["code"] as? Int == 710, "\(label) stores: \(answer.text)")
        }
        #expect(try await send(nil, .PUT, profile, body: body).status == 401)
        #expect(try await send(manager, .GET, profile).status == 404, "a refused PUT stored nothing")

        // The till stores it at enrolment: 200 with the stored profile.
        let stored = try await send(till, .PUT, profile, body: body)
        #expect(stored.status == 200, "\(stored.text)")
        #expect(stored.json["memberId"] as? String == member && stored.json["name"] as? String == Self.name
                && stored.json["phone"] as? String == Self.phone && stored.json["email"] as? String == Self.email
                && stored.json["purpose"] as? String == "loyalty programme" && (stored.json["consentAtMs"] as? NSNumber)?.int64Value == consentAt
                && stored.json["recordedBy"] as? String == "till-03", "\(stored.text)")

        // A till cannot overwrite (and so erase) what is on file: 403, nothing changed.
        let overwrite = try await send(till, .PUT, profile, body: #"{"name":"X","purpose":"x","consentAtMs":\#(consentAt)}"#)
        #expect(overwrite.status == 403 && overwrite.json["code"] as? Int == 710 && overwrite.text.contains("only when none is on file"), "\(overwrite.text)")
        #expect(try await send(manager, .GET, profile + "?reveal=true").json["name"] as? String == Self.name, "a till's overwrite changed the profile")

        // The manager reads it masked, and in clear only when asking to; so does the admin.
        let masked = try await send(manager, .GET, profile)
        #expect(masked.status == 200 && masked.json["masked"] as? Bool == true, "\(masked.text)")
        #expect(!masked.text.contains(Self.name) && !masked.text.contains(Self.email) && !masked.text.contains("9876"), "\(masked.text)")
        #expect(masked.json["name"] as? String == Self.name.split(separator: " ").map { $0.prefix(1) + String(repeating: "*", count: $0.count - 1) }.joined(separator: " "))
        #expect((masked.json["phone"] as? String)?.hasSuffix(String(Self.phone.filter(\.isNumber).suffix(4))) == true, "\(masked.text)")
        let read = try await send(manager, .GET, profile + "?reveal=true")
        #expect(read.status == 200 && read.json["name"] as? String == Self.name && read.json["email"] as? String == Self.email
                && read.json["masked"] as? Bool == false, "\(read.text)")
        #expect(try await send(admin, .GET, profile).status == 200)
        #expect(try await send(manager, .GET, profile + "?reveal=yes").status == 400)
        #expect(try await send(manager, .GET, profile + "?unmask=true").status == 400)
        let escaped = try await send(manager, .GET, "/v1/members/M01%2D0001/profile")
        #expect(escaped.status == 200 && escaped.json["memberId"] as? String == member, "the path's id is percent-decoded: \(escaped.text)")
        // Not the till, not another outlet's manager, not the auditor; nobody unsigned.
        for (signer, label) in [(till, "the till"), (manager2, "outlet 2's manager"), (auditor, "the auditor")] {
            let answer = try await send(signer, .GET, profile)
            #expect(answer.status == 403 && answer.json["code"] as? Int == 710 && !answer.text.contains(Self.name), "\(label) reads: \(answer.text)")
            let erase = try await send(signer, .DELETE, profile)
            #expect(erase.status == 403, "\(label) erases: \(erase.text)")
        }
        #expect(try await send(nil, .GET, profile).status == 401)

        // Bad input: 400 naming the field; member ids that are personal data; strict JSON.
        let longName = String(repeating: "N", count: 129)
        let tooLong = try await send(till, .PUT, profile, body: #"{"name":"\#(longName)","purpose":"loyalty","consentAtMs":\#(consentAt)}"#)
        #expect(tooLong.status == 400 && tooLong.text.contains("name is 129 characters; the limit is 128"), "\(tooLong.text)")
        let unknownField = try await send(till, .PUT, profile, body: #"{"name":"A","nric":"S1234567D","purpose":"loyalty","consentAtMs":\#(consentAt)}"#)
        #expect(unknownField.status == 400 && unknownField.text.contains("nric"), "\(unknownField.text)")
        let nothing = try await send(till, .PUT, profile, body: #"{"purpose":"loyalty","consentAtMs":\#(consentAt)}"#)
        #expect(nothing.status == 400, "\(nothing.text)")
        for target in ["/v1/members/91234567/profile", "/v1/members/%2B6591234567/profile", "/v1/members/S1234567D/profile",
                       "/v1/members/alice%40example.com/profile"] {
            let put = try await send(till, .PUT, target, body: body)
            #expect(put.status == 400 && put.text.contains("pseudonymous (PDPA)"), "PUT \(target): \(put.text)")
            let get = try await send(manager, .GET, target)
            #expect(get.status == 400 && get.text.contains("pseudonymous (PDPA)"), "GET \(target): \(get.text)")
        }
        let phoneMember = try await send(till, .GET, "/v1/members/91234567")
        #expect(phoneMember.status == 400 && phoneMember.text.contains("pseudonymous (PDPA)"), "the chain's member reads refuse them too: \(phoneMember.text)")
        #expect(try await send(manager, .GET, profile + "?reveal=true").json["name"] as? String == Self.name, "bad input changed nothing")

        // On the disk: one sealed file under members/, nothing in clear anywhere.
        let data = demo + "/outlet-1"
        let needles = [Self.name, Self.phone, Self.email, "Zebedee", "Quixotic", "9876 5432", "pdpa-probe"]
        #expect(filesHolding(needles, under: data).isEmpty, "personal data in clear: \(filesHolding(needles, under: data))")
        #expect(filesHolding(needles, under: demo).isEmpty, "personal data in clear (logs, configs): \(filesHolding(needles, under: demo))")
        let records = try FileManager.default.contentsOfDirectory(atPath: data + "/members")
        #expect(records.count == 1 && records[0].utf8.count == 64 && !records[0].contains(member), "\(records)")

        // The manager erases it: 204, then 404; nothing left under members/, nothing in clear.
        #expect(try await send(manager, .DELETE, profile).status == 204)
        #expect(try await send(manager, .GET, profile).status == 404)
        #expect(try await send(admin, .DELETE, profile).status == 404, "erased already")
        #expect(try FileManager.default.contentsOfDirectory(atPath: data + "/members").isEmpty)
        #expect(filesHolding(needles, under: demo).isEmpty, "personal data left after erasure: \(filesHolding(needles, under: demo))")
        // The chain's member is still there (a pseudonymous reference now).
        #expect(try await send(till, .GET, "/v1/members/\(member)").status == 200)
        // The admin may store and erase too.
        #expect(try await send(admin, .PUT, profile, body: body).status == 200)
        // A record that does not open (a byte of the sealed file flipped): 500 `internal`
        // (docs/openapi.json lists it), nothing of the member in the answer; an admin's store
        // replaces it.
        let file = data + "/members/" + (try FileManager.default.contentsOfDirectory(atPath: data + "/members")).first!
        var sealed = try Data(contentsOf: URL(fileURLWithPath: file))
        sealed[sealed.count - 1] ^= 0x01
        try sealed.write(to: URL(fileURLWithPath: file))
        let damaged = try await send(manager, .GET, profile + "?reveal=true")
        #expect(damaged.status == 500 && damaged.json["error"] as? String == "internal" && !damaged.text.contains(Self.name), "\(damaged.text)")
        #expect(try await send(admin, .PUT, profile, body: body).status == 200)
        #expect(try await send(manager, .GET, profile + "?reveal=true").json["name"] as? String == Self.name)
        #expect(try await send(admin, .DELETE, profile).status == 204)
        #expect(node.process.isRunning, "\(node.logTail())")

        // The chain is untouched: the auditor's verification passes.
        node.stop()
        let audit = try await CLI.run(["audit", "verify", data, "--genesis", demo + "/genesis.json"])
        #expect(audit.status == 0, "\(audit.output.suffix(600)) \(audit.error.suffix(600))")
        #expect(filesHolding(needles, under: demo).isEmpty)
    }
}
