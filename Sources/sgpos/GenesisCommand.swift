import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

struct GenesisCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genesis", abstract: "Create and inspect genesis files.", subcommands: [Create.self, Show.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a genesis file from a template, generating fresh keys for every admin, outlet and validator.",
            discussion: "Writes OUT/genesis.json and one key file per key under OUT/keys/. Template schema: Genesis/SCHEMA.md.")

        @Option(help: "Template file (Genesis/SCHEMA.md); default: the demo network's template built in (Genesis/demo.template.json).")
        var template: String?

        @Option(help: "Directory to write genesis.json and keys/ into.")
        var out: String

        @Option(help: "Override the template's chain id.")
        var chainId: String?

        func run() throws {
            let created = try GenesisTemplate.create(templatePath: template, outputDirectory: out, chainID: chainId)
            if template == nil { print("from the built-in demo template (Genesis/demo.template.json); --template FILE for your own network") }
            print("genesis \(created.genesis.id) for chain \(created.genesis.chainID) written to \(out)/genesis.json")
            print("\(created.keyFiles.count) key files in \(out)/keys/ (mode 0600): keep them secret")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a genesis file and print its id.")
        @Argument(help: "Genesis file.") var file: String
        func run() throws {
            let genesis = try loadGenesis(file)
            print("genesis id \(genesis.id)")
            print("chain \(genesis.chainID), \(genesis.outlets.count) outlets, \(genesis.admins.count) admins, \(genesis.validators.count) validators")
        }
    }
}

/// A genesis template: the genesis document without keys (Genesis/SCHEMA.md).
struct GenesisTemplate: Codable {
    struct Named: Codable { var name: String }
    struct Outlet: Codable { var id: UInt32; var name: String }
    struct Validator: Codable { var name: String; var power: UInt64 }

    var format: String
    var chainId: String
    var genesisTimeMs: UInt64
    var parameters: GenesisDocument.Parameters
    var gst: GenesisDocument.GST
    var admins: [Named]
    var outlets: [Outlet]
    var validators: [Validator]

    struct Created {
        let genesis: Genesis
        let keyFiles: [String]
    }

    /// Genesis/demo.template.json, built in so that `genesis create` runs from any
    /// directory (GenesisCommandTests keeps the two byte for byte equal).
    static let builtInDemo = #"""
{
  "format": "sgpos-genesis-template/1",
  "chainId": "sgpos-demo-1",
  "genesisTimeMs": 1767196800000,
  "parameters": {
    "blockTransactionsMax": 8190,
    "keyRotationOverlapMsMax": 604800000,
    "checkpointTime": {
      "precisionMs": 500,
      "messageDelayMs": 2000,
      "lagThresholdMs": 3600000
    }
  },
  "gst": {
    "pricesIncludeGst": true,
    "method": "per-invoice",
    "rates": [
      { "effectiveFrom": "2007-07-01", "basisPoints": 700 },
      { "effectiveFrom": "2023-01-01", "basisPoints": 800 },
      { "effectiveFrom": "2024-01-01", "basisPoints": 900 }
    ]
  },
  "admins": [ { "name": "hq-admin" } ],
  "outlets": [
    { "id": 1, "name": "Tampines Mall" },
    { "id": 2, "name": "Jurong Point" },
    { "id": 3, "name": "Causeway Point" },
    { "id": 4, "name": "VivoCity" }
  ],
  "validators": [
    { "name": "tampines", "power": 1 },
    { "name": "jurong", "power": 1 },
    { "name": "causeway", "power": 1 },
    { "name": "vivocity", "power": 1 }
  ]
}
"""#

    static func create(templatePath: String?, outputDirectory: String, chainID: String?) throws -> Created {
        let template = try templatePath.map { try JSON.read(GenesisTemplate.self, path: $0, what: "genesis template") }
            ?? JSON.decode(GenesisTemplate.self, from: Data(builtInDemo.utf8), what: "built-in genesis template")
        let genesisPath = outputDirectory + "/genesis.json"
        if FileManager.default.fileExists(atPath: genesisPath) {
            throw CLIError("\(genesisPath) already exists; refusing to overwrite a genesis")
        }
        var keyFiles: [String] = []
        func fresh(_ label: String, _ file: String) throws -> String {
            let key = SigningKey.generate()
            let path = "\(outputDirectory)/keys/\(file).key"
            try KeyFile(label: label, key: key).write(to: path)
            keyFiles.append(path)
            return key.publicKey.hex
        }
        var document = GenesisDocument(
            format: GenesisDocument.formatName, chainId: chainID ?? template.chainId,
            genesisTimeMs: template.genesisTimeMs, parameters: template.parameters, gst: template.gst,
            admins: [], outlets: [], validators: [])
        for admin in template.admins {
            document.admins.append(.init(name: admin.name, publicKey: try fresh("admin \(admin.name)", "admin-\(admin.name)")))
        }
        for outlet in template.outlets {
            document.outlets.append(.init(id: outlet.id, name: outlet.name, nodeKey: try fresh("node of outlet \(outlet.id)", "outlet-\(outlet.id)")))
        }
        for validator in template.validators {
            document.validators.append(.init(name: validator.name, publicKey: try fresh("validator \(validator.name)", "validator-\(validator.name)"), power: validator.power))
        }
        let genesis: Genesis
        do { genesis = try document.genesis() } catch { throw CLIError("template \(templatePath ?? "(built in)"): \(error)") }
        try writeFile(try JSON.encode(document), to: genesisPath)
        return Created(genesis: genesis, keyFiles: keyFiles)
    }
}

