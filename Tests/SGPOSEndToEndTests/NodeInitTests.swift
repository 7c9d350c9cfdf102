import Foundation
import SGPOSClient
import Testing

/// The operator's first hour (docs/OPERATIONS.md §3a): `node init` makes a node's
/// directory from a genesis, `node check-config` names what is wrong by field, `node run`
/// starts from what init wrote and names a port that is taken; `--version`; JSON errors in
/// the document's own terms.
@Suite struct NodeInitTests {
    @Test func initWritesAConfigurationTheNodeRunsFrom() async throws {
        let scratch = Scratch()
        let net = scratch.path + "/net", home = scratch.path + "/outlet-1"
        #expect(try await CLI.run(["genesis", "create", "--template", CLI.packageRoot + "/Genesis/demo.template.json", "--out", net]).status == 0)
        let ports = try KeyFileEncryptionTests().freePorts(5)
        let initArguments = ["node", "init", "--genesis", net + "/genesis.json", "--outlet", "1", "--node-key", net + "/keys/outlet-1.key",
                             "--dir", home, "--http-port", "\(ports[0])", "--peer-port", "\(ports[1])",
                             "--peer", "2@127.0.0.1:\(ports[2])", "--peer", "3@127.0.0.1:\(ports[3])", "--peer", "4@127.0.0.1:\(ports[4])"]
        let made = try await CLI.run(initArguments)
        #expect(made.status == 0 && made.output.contains("fingerprint"), "\(made.error)")
        let text = try String(contentsOfFile: home + "/node.json", encoding: .utf8)
        for option in ["outletId", "genesis", "nodeKey", "validatorKeys", "http", "tls", "allowPlainHTTP", "peer", "peers", "peerTLS",
                       "requestBytesMax", "batchRequestBytesMax", "pendingMax", "httpConnectionsMax", "httpConnectionsPerAddressMax",
                       "metricsWithoutSignature", "allowFaultInjection", "merchant", "payNow", "printer", "exportPostgresURL"] {
            #expect(text.contains("\"\(option)\""), "the configuration names \(option)")
        }
        #expect(text.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.count >= 20, "commented")
        let keyMode = try FileManager.default.attributesOfItem(atPath: home + "/keys/node.key")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        let checked = try await CLI.run(["node", "check-config", home + "/node.json", "--data", home + "/data"])
        #expect(checked.status == 0 && checked.output == "ok \(home)/node.json\n", "\(checked.output)\(checked.error)")
        #expect(try await CLI.run(initArguments).error.contains("exists; refusing to overwrite"))

        // It runs from what init wrote, over HTTPS pinned to the authority init made.
        let node = Process()
        node.executableURL = URL(fileURLWithPath: CLI.binary)
        node.arguments = ["node", "run", "--data", home + "/data", "--config", home + "/node.json", "--log-level", "warning"]
        node.standardOutput = FileHandle.nullDevice
        node.standardError = FileHandle.nullDevice
        try node.run()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        let client = try NodeClient(baseURL: "https://127.0.0.1:\(ports[0])", pinnedCertificatePEM: String(contentsOfFile: home + "/tls/api-ca.pem", encoding: .utf8))
        var health: API.Health?
        var patience = Patience(seconds: 30, checks: 150)
        while patience.keepWaiting() {
            if let answer = try? await client.health() { health = answer; break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        #expect(health?.outletId == 1 && health?.status == "ok")

        // With the node up, its ports are taken: check-config and a second node say which.
        let busy = try await CLI.run(["node", "check-config", home + "/node.json"])
        #expect(busy.status == 1 && busy.output.contains("http: port \(ports[0]) on 127.0.0.1 is in use"), "\(busy.output)")
        #expect(try await CLI.run(["node", "check-config", home + "/node.json", "--skip-ports"]).status == 0)
        let second = try await CLI.run(["node", "run", "--data", scratch.path + "/other", "--config", home + "/node.json"])
        #expect(second.status != 0 && second.error.contains("http: port \(ports[0]) on 127.0.0.1 is in use"), "\(second.error)")
        #expect(!second.error.contains("bind(descriptor"))
    }

    @Test func checkConfigNamesTheField() async throws {
        let scratch = Scratch()
        let net = scratch.path + "/net", home = scratch.path + "/outlet-2"
        _ = try await CLI.run(["genesis", "create", "--template", CLI.packageRoot + "/Genesis/demo.template.json", "--out", net])
        let ports = try KeyFileEncryptionTests().freePorts(2)
        // The wrong outlet's key is refused by init.
        let wrong = try await CLI.run(["node", "init", "--genesis", net + "/genesis.json", "--outlet", "2", "--node-key", net + "/keys/outlet-1.key", "--dir", home])
        #expect(wrong.status != 0 && wrong.error.contains("not outlet 2's genesis node key"), "\(wrong.error)")
        #expect(try await CLI.run(["node", "init", "--genesis", net + "/genesis.json", "--outlet", "2", "--node-key", net + "/keys/outlet-2.key",
                                   "--dir", home, "--http-port", "\(ports[0])", "--peer-port", "\(ports[1])"]).status == 0)
        let config = home + "/node.json"
        let original = try String(contentsOfFile: config, encoding: .utf8)
        func check(_ edited: String) async throws -> String {
            try edited.write(toFile: config, atomically: true, encoding: .utf8)
            let result = try await CLI.run(["node", "check-config", config])
            #expect(result.status == 1)
            return result.output + result.error
        }
        #expect(try await check(original.replacingOccurrences(of: "\"pendingMax\"", with: "\"pendingMaxx\"")).contains("unknown field \"pendingMaxx\""))
        #expect(try await check(original.replacingOccurrences(of: "\"pendingMax\": 20000", with: "\"pendingMax\": 2.5")).contains("pendingMax: expected an integer, got 2.5"))
        #expect(try await check(original.replacingOccurrences(of: "\"outletId\": 2", with: "\"outletId\": \"2\"")).contains("outletId: expected an integer, got \"2\""))
        #expect(try await check(original.replacingOccurrences(of: "keys/node.key", with: "keys/missing.key")).contains("nodeKey: "))
        #expect(try await check(original.replacingOccurrences(of: "\"outletId\": 2", with: "\"outletId\": 9")).contains("outletId: 9 is not an outlet of the genesis"))
        try original.write(toFile: config, atomically: true, encoding: .utf8)
        chmod(home + "/keys/node.key", 0o644)
        let open = try await CLI.run(["node", "check-config", config])
        #expect(open.status == 1 && open.output.contains("nodeKey: "), "\(open.output)")
        chmod(home + "/keys/node.key", 0o600)
        let missingPeers = try await CLI.run(["node", "check-config", config])
        #expect(missingPeers.output.contains("peers: no entry for outlet(s) 1, 3, 4"), "\(missingPeers.output)")
    }

    /// `genesis create` runs from any directory: the demo template is built in, and stays
    /// the same as Genesis/demo.template.json (every field but the fresh keys).
    @Test func genesisCreateRunsAnywhereWithTheBuiltInTemplate() async throws {
        let scratch = Scratch()
        let builtIn = try await CLI.run(["genesis", "create", "--out", scratch.path + "/a"], wrapper: ["-C", scratch.path])
        #expect(builtIn.status == 0 && builtIn.output.contains("built-in demo template"), "\(builtIn.error)")
        #expect(try await CLI.run(["genesis", "create", "--template", CLI.packageRoot + "/Genesis/demo.template.json", "--out", scratch.path + "/b"]).status == 0)
        func withoutKeys(_ path: String) throws -> NSObject {
            func strip(_ value: Any) -> Any {
                if let object = value as? [String: Any] {
                    return object.filter { !["publicKey", "nodeKey"].contains($0.key) }.mapValues(strip)
                }
                if let list = value as? [Any] { return list.map(strip) }
                return value
            }
            return strip(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))) as! NSObject
        }
        #expect(try withoutKeys(scratch.path + "/a/genesis.json") == withoutKeys(scratch.path + "/b/genesis.json"))
    }

    /// Every file a command's help names exists (a help text once cited docs/openapi.yaml).
    @Test func helpTextsNameFilesThatExist() async throws {
        let dump = try await CLI.run(["--experimental-dump-help"])
        #expect(dump.status == 0)
        let pattern = try Regex(#"(?:docs|Genesis|Contracts)/[A-Za-z0-9_./-]+\.(?:md|json|yaml|rules)"#)
        let text = dump.output.replacingOccurrences(of: "\\/", with: "/")   // JSON may escape the slashes
        let named = Set(text.matches(of: pattern).map { String(text[$0.range]) })
        #expect(named.count >= 5, "\(named)")
        for path in named { #expect(FileManager.default.fileExists(atPath: CLI.packageRoot + "/" + path), "help names \(path), which does not exist") }
        #expect(!dump.output.contains("not part of this version"))
    }

    @Test func versionAndJSONErrorsInTheDocumentsTerms() async throws {
        let version = try await CLI.run(["--version"])
        #expect(version.status == 0 && version.output.hasPrefix("sgpos ") && version.output.split(separator: ".").count == 3, "\(version.output)")
        let cases: [(String, String)] = [
            (#"{"at": "2026-03-01T10:00:00+08:00", "lines": [{"sku": "A", "qty": 2.5, "unitPrice": "1.00"}]}"#, "lines[0].qty: expected an integer, got 2.5"),
            (#"{"at": "2026-03-01T10:00:00+08:00", "lines": [{"sku": "A", "qty": "two", "unitPrice": "1.00"}]}"#, "lines[0].qty: expected an integer, got \"two\""),
            (#"{"at": 5, "lines": []}"#, "at: expected a string, got 5"),
            (#"{"at": "2026-03-01T10:00:00+08:00", "lines": {}}"#, "lines: expected a list, got an object"),
            (#"{"lines": []}"#, "missing field \"at\""),
        ]
        for (input, message) in cases {
            let result = try await CLI.run(["quote"], input: input)
            #expect(result.status != 0 && result.error.contains(message), "\(input): \(result.error)")
            #expect(!result.error.contains("Index 0") && !result.error.contains("CodingKeys"), "\(result.error)")
        }
    }
}
