import Foundation
import SGPOSContracts
import SGPOSDemo
import Testing

/// The rules the demo deploys are the files in `Contracts/`, byte for byte, and each compiles.
@Suite struct ShippedRulesTests {
    static let contracts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Contracts").standardized

    @Test func theDemoDeploysExactlyTheFilesInContracts() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.contracts.path).filter { $0.hasSuffix(".rules") }.sorted()
        #expect(ShippedRules.all.map(\.file) == files)
        for (file, source) in ShippedRules.all {
            let onDisk = try String(contentsOf: Self.contracts.appendingPathComponent(file), encoding: .utf8)
            #expect(source == onDisk, "\(file): ShippedRules.swift differs from Contracts/\(file)")
            _ = try CompiledRule.compile(source)
        }
    }
}
