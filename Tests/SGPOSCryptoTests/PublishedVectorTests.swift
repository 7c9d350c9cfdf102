import Foundation
import SGPOSCodec
import SGPOSCrypto
import Testing

/// Loads a JSON vector file from the test bundle's Vectors folder.
func loadVectors<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Vectors"),
                           "vector file \(name).json is missing")
    return try JSONDecoder().decode(type, from: Data(contentsOf: url))
}

func bytes(_ hex: String) throws -> [UInt8] { try #require(Hex.decode(hex), "bad hex in vector file") }
func hash(_ hex: String) throws -> Hash256 { try #require(Hash256(hex: hex), "bad hash in vector file") }

/// RFC 8032 §7.1 and NIST ACVP vectors against libsodium through our wrapper.
@Suite struct RFC8032VectorTests {
    struct File: Decodable {
        struct Vector: Decodable { let name, secretKey, publicKey, message, signature: String }
        struct VerifyCase: Decodable { let name, publicKey, message, signature: String; let valid: Bool }
        let vectors: [Vector]
        let verifyCases: [VerifyCase]
    }

    @Test func signingVectorsReproduceKeysAndSignatures() throws {
        let file = try loadVectors("rfc8032-ed25519", as: File.self)
        #expect(file.vectors.count >= 3)
        for vector in file.vectors {
            let key = try #require(SigningKey(seed: try bytes(vector.secretKey)))
            #expect(key.publicKey.hex == vector.publicKey, "\(vector.name): public key")
            let signature = key.sign(try bytes(vector.message))
            #expect(signature.hex == vector.signature, "\(vector.name): signature")
            #expect(key.publicKey.isValidSignature(signature, for: try bytes(vector.message)))
            #expect(!key.publicKey.isValidSignature(signature, for: try bytes(vector.message) + [0]))
        }
    }

    @Test func verificationCasesAcceptAndRejectAsPublished() throws {
        let file = try loadVectors("rfc8032-ed25519", as: File.self)
        #expect(file.verifyCases.contains { $0.valid } && file.verifyCases.contains { !$0.valid })
        for vector in file.verifyCases {
            let key = try #require(PublicKey(hex: vector.publicKey))
            let signature = try #require(Signature(hex: vector.signature))
            #expect(key.isValidSignature(signature, for: try bytes(vector.message)) == vector.valid, "\(vector.name)")
        }
    }
}

/// The published RFC 6962/9162 reference vectors (transparency-dev/merkle).
@Suite struct RFC9162VectorTests {
    struct File: Decodable {
        struct Root: Decodable { let size: UInt64; let root: String }
        struct Inclusion: Decodable { let leafIndex: UInt64; let treeSize: UInt64; let path: [String] }
        struct Consistency: Decodable { let size1: UInt64; let size2: UInt64; let path: [String] }
        let leaves: [String]
        let nodeHashes: [[String]]
        let roots: [Root]
        let inclusion: [Inclusion]
        let consistency: [Consistency]
    }

    func tree() throws -> (File, MerkleLevels) {
        let file = try loadVectors("rfc9162-merkle", as: File.self)
        let leafHashes = try file.leaves.map { MerkleTree.leafHash(try bytes($0)) }
        return (file, MerkleLevels(leafHashes: leafHashes))
    }

    @Test func leafNodeAndRootHashesMatch() throws {
        let (file, levels) = try tree()
        for (level, hashes) in file.nodeHashes.enumerated() {
            for (index, expected) in hashes.enumerated() {
                #expect(levels.node(level: level, index: UInt64(index)).hex == expected, "node \(level)/\(index)")
            }
        }
        var range = CompactRange()
        for root in file.roots {
            #expect(levels.root(size: root.size).hex == root.root, "root of size \(root.size)")
            if root.size > 0 { range.append(leafHash: levels.node(level: 0, index: root.size - 1)) }
            #expect(range.root.hex == root.root, "compact range of size \(root.size)")
        }
    }

    @Test func publishedInclusionProofsAreProducedAndVerified() throws {
        let (file, levels) = try tree()
        for vector in file.inclusion {
            let path = try vector.path.map(hash)
            #expect(levels.inclusionProof(leafIndex: vector.leafIndex, treeSize: vector.treeSize) == path,
                    "PATH(\(vector.leafIndex), \(vector.treeSize))")
            let root = levels.root(size: vector.treeSize)
            let leaf = levels.node(level: 0, index: vector.leafIndex)
            #expect(MerkleTree.verifyInclusion(leafHash: leaf, leafIndex: vector.leafIndex, treeSize: vector.treeSize, path: path, root: root))
            // The corruptions transparency-dev's own tests apply must all fail.
            var probes: [(UInt64, UInt64, [Hash256])] = [
                (vector.leafIndex + 1, vector.treeSize, path), (vector.leafIndex, vector.treeSize * 2, path),
                (vector.leafIndex, vector.treeSize, path + [root]), (vector.leafIndex, vector.treeSize, [root] + path),
            ]
            if vector.leafIndex > 0 { probes.append((vector.leafIndex - 1, vector.treeSize, path)) }
            if !path.isEmpty { probes.append((vector.leafIndex, vector.treeSize, Array(path.dropLast()))) }
            for (index, size, probe) in probes {
                #expect(!MerkleTree.verifyInclusion(leafHash: leaf, leafIndex: index, treeSize: size, path: probe, root: root),
                        "corrupted inclusion probe accepted for (\(vector.leafIndex), \(vector.treeSize))")
            }
        }
    }

    @Test func publishedConsistencyProofsAreProducedAndVerified() throws {
        let (file, levels) = try tree()
        for vector in file.consistency {
            let path = try vector.path.map(hash)
            #expect(levels.consistencyProof(firstSize: vector.size1, secondSize: vector.size2) == path,
                    "PROOF(\(vector.size1), \(vector.size2))")
            let first = levels.root(size: vector.size1)
            let second = levels.root(size: vector.size2)
            #expect(MerkleTree.verifyConsistency(firstSize: vector.size1, secondSize: vector.size2, firstRoot: first, secondRoot: second, path: path))
            guard !path.isEmpty else { continue }
            let probes: [(UInt64, UInt64, Hash256, Hash256, [Hash256])] = [
                (vector.size1 + 1, vector.size2, first, second, path), (vector.size1 - 1, vector.size2, first, second, path),
                (vector.size1, vector.size2, second, first, path), (vector.size1, vector.size2, first, second, []),
                (vector.size1, vector.size2, first, second, path + [first]), (vector.size1, vector.size2, first, second, [path[0]] + path),
                (vector.size1, vector.size2, first, second, Array(path.dropLast())),
            ]
            for (size1, size2, root1, root2, probe) in probes {
                #expect(!MerkleTree.verifyConsistency(firstSize: size1, secondSize: size2, firstRoot: root1, secondRoot: root2, path: probe),
                        "corrupted consistency probe accepted for (\(vector.size1), \(vector.size2))")
            }
        }
    }
}
