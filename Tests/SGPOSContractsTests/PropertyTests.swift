import Foundation
@testable import SGPOSContracts
import Testing

/// Properties over generated inputs: the cost bound holds, the parser never crashes on
/// random or mutated sources, bad programs are refused at deploy.
@Suite("Contracts properties")
struct PropertyTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let contracts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Contracts")

    static func shipped() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: contracts.path).filter { $0.hasSuffix(".rules") }.sorted().map {
            try String(contentsOf: contracts.appendingPathComponent($0), encoding: .utf8)
        }
    }

    func basket(_ random: inout SplitMix) -> ContractInput {
        let categories = ["snacks", "dairy", "electronics", "bakery", "rewards"]
        let lines = (0..<Int.random(in: 0...40, using: &random)).map { index -> ContractInput.Line in
            let qty = Int64.random(in: 1...30, using: &random), price = Int64.random(in: 0...50_000, using: &random)
            let sku = Int.random(in: 0...9, using: &random) == 0 ? "RW-TOTE" : "S\(index)"
            return .init(sku: sku, category: categories.randomElement(using: &random)!, quantity: qty, unitPrice: price, net: qty * price)
        }
        let member = Bool.random(using: &random)
        var input = ContractInput(
            lines: lines,
            customer: member ? .init(id: "M", isMember: true, tier: UInt8.random(in: 1...5, using: &random),
                                     lifetimeSpend: Int64.random(in: 0...6_000_000, using: &random),
                                     points: Int64.random(in: 0...2_000, using: &random),
                                     multiplier: Int64.random(in: 0...100_000, using: &random)) : .guest,
            timeMs: 1_767_196_800_000 + Int64.random(in: 0...(400 * 86_400_000), using: &random),
            counters: ["uses": Int64.random(in: 0...2, using: &random), "total": Int64.random(in: 0...1_000, using: &random),
                       "taken": Int64.random(in: 0...1, using: &random), "stock": Int64.random(in: 0...500, using: &random)])
        for category in categories where Bool.random(using: &random) {
            input.pointRates[category] = Int64.random(in: 0...100_000, using: &random)
        }
        return input
    }

    @Test func dynamicCostNeverExceedsTheStaticBound() throws {
        let rules = try Self.shipped().map(CompiledRule.compile)
        #expect(rules.count >= 7)
        var random = SplitMix(state: 42)
        for _ in 0..<2_000 {
            let input = basket(&random)
            for rule in rules {
                let outcome = rule.evaluate(input)
                #expect(outcome.cost <= rule.staticCost, "\(rule.id): \(outcome.cost) > \(rule.staticCost)")
                if case .failed(let error, _) = outcome {
                    #expect(error.code != ContractError.Code.costLimit.rawValue, "\(rule.id) hit the cost assertion")
                }
            }
        }
    }

    @Test func theParserSurvivesRandomAndMutatedSources() throws {
        var random = SplitMix(state: 7)
        let seeds = try Self.shipped()
        let alphabet = Array("rule version lang let require else skip when for in emit {}()[].,:=<>+-*\"S$%_0123456789abcxyz\n ./")
        for round in 0..<3_000 {
            var source: String
            if round % 2 == 0 {
                source = String((0..<Int.random(in: 0...200, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            } else {
                var bytes = Array(seeds.randomElement(using: &random)!.utf8)
                for _ in 0..<Int.random(in: 1...8, using: &random) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0...2, using: &random) {
                    case 0: bytes.remove(at: at)
                    case 1: bytes.insert(UInt8.random(in: 0...127, using: &random), at: at)
                    default: bytes[at] = UInt8.random(in: 0...255, using: &random)
                    }
                }
                source = String(decoding: bytes, as: UTF8.self)
            }
            if let compiled = try? CompiledRule.compile(source) {
                // What compiles must also run within its bound.
                let outcome = compiled.evaluate(basket(&random))
                #expect(outcome.cost <= compiled.staticCost)
            }
        }
    }

    @Test func badProgramsAreRefusedAtDeployWithTheRightCode() {
        let cases: [(String, ContractError.Code)] = [
            ("rule \"t\" version 1 { let x = 1 + S$1.00 }", .type),
            ("rule \"t\" version 1 { for a in basket.lines { for b in basket.lines { for c in basket.lines { let x = 1 } } } }", .staticCostLimit),
            ("rule \"t\" version 1 { let x = 123456789012345678901234567890 }", .constantTooLarge),
            ("rule \"t\" version 1 { lang 9 }", .unsupportedLanguage),
            ("rule \"t\" version 1 { let x = ", .parse),
        ]
        for (source, code) in cases {
            #expect(throws: ContractError.self) { try CompiledRule.compile(source) }
            do { _ = try CompiledRule.compile(source) } catch let error as ContractError {
                #expect(error.code == code.rawValue, "\(source): \(error)")
                #expect(code == .staticCostLimit || code == .constantTooLarge || code == .unsupportedLanguage || error.line > 0,
                        "messages name a line and column")
            } catch {}
        }
    }
}
