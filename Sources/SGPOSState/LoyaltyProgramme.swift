import SGPOSChain
import SGPOSCodec

/// Points rates by category, set by an outlet operator (the seed's "oracle" role): the
/// loyalty rules read them with `point_rate(category)` (docs/CONTRACTS.md §3). Entries are
/// in strictly ascending category order (bytewise), so one update has one encoding.
public struct SetPointRates: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var category: String
        /// Basis points: 10,000 earns 1 point per dollar at 1.0×; 0 earns nothing.
        public var basisPoints: Int64
        public init(category: String, basisPoints: Int64) {
            self.category = category
            self.basisPoints = basisPoints
        }
    }

    public var entries: [Entry]
    public var reason: String
    public init(entries: [Entry], reason: String) {
        self.entries = entries
        self.reason = reason
    }
}

/// A member's personal points multiplier (default 1.0×), set by an outlet operator with a
/// reason; the loyalty rules read it as `customer.multiplier`.
public struct SetMemberMultiplier: Hashable, Sendable {
    public var memberID: String
    /// Basis points: 10,000 = 1.0×.
    public var basisPoints: Int64
    public var reason: String
    public init(memberID: String, basisPoints: Int64, reason: String) {
        self.memberID = memberID
        self.basisPoints = basisPoints
        self.reason = reason
    }
}

extension SetPointRates {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeCount(entries.count, limit: POSLimits.pointRateEntriesMax)
        for entry in entries {
            encoder.writeString(entry.category, limit: POSLimits.categoryBytesMax)
            encoder.writeI64(entry.basisPoints)
        }
        encoder.writeString(reason, limit: POSLimits.reasonBytesMax)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "set-point-rates")
        let count = try decoder.readCount("point rate entries", limit: POSLimits.pointRateEntriesMax)
        var entries: [Entry] = []
        for _ in 0..<count {
            let category = try decoder.readString("category", limit: POSLimits.categoryBytesMax)
            entries.append(Entry(category: category, basisPoints: try decoder.readI64("points rate (basis points)")))
        }
        self.entries = entries
        reason = try decoder.readString("reason", limit: POSLimits.reasonBytesMax)
    }
}

extension SetMemberMultiplier {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeString(memberID, limit: POSLimits.memberIDBytesMax)
        encoder.writeI64(basisPoints)
        encoder.writeString(reason, limit: POSLimits.reasonBytesMax)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "set-member-multiplier")
        memberID = try decoder.readString("member id", limit: POSLimits.memberIDBytesMax)
        basisPoints = try decoder.readI64("multiplier (basis points)")
        reason = try decoder.readString("reason", limit: POSLimits.reasonBytesMax)
    }
}

extension StateKey {
    public static func pointRate(category: String) -> StateKey { StateKey(.pointRates, Array(category.utf8)) }
    public static func memberMultiplier(_ id: String) -> StateKey { StateKey(.memberMultipliers, Array(id.utf8)) }
}

extension StateReader {
    /// The operator's points rate for `category`, if one was set (basis points).
    public func pointRate(category: String) throws -> Int64? {
        guard let bytes = try read(.pointRate(category: category)) else { return nil }
        return try Self.decodeBasisPoints(bytes, "points rate")
    }

    /// The member's personal multiplier (basis points; 10,000 when never set).
    public func memberMultiplier(_ id: String) throws -> Int64 {
        guard let bytes = try read(.memberMultiplier(id)) else { return 10_000 }
        return try Self.decodeBasisPoints(bytes, "member multiplier")
    }

    private static func decodeBasisPoints(_ bytes: [UInt8], _ what: String) throws -> Int64 {
        var decoder = CanonicalDecoder(bytes)
        let value = try decoder.readI64(what)
        try decoder.finish(what)
        return value
    }
}

extension POSTransition {
    mutating func setPointRates(_ body: SetPointRates, _ state: inout StateOverlay) throws {
        try require([.operator], "a points-rate update")
        try requireText(body.reason, "points-rate reason", max: POSLimits.reasonBytesMax)
        guard !body.entries.isEmpty else { throw reject(.invalidField, "a points-rate update needs at least one category") }
        var previous: [UInt8]?
        for (index, entry) in body.entries.enumerated() {
            var label: String { "points rate \(index + 1)" }  // built only for a message
            try requireText(entry.category, "\(label) category", max: POSLimits.categoryBytesMax)
            let bytes = Array(entry.category.utf8)
            if let previous, !previous.lexicographicallyPrecedes(bytes) {
                throw reject(.invalidField, "\(label): categories must be in ascending order without repeats; \"\(entry.category)\" is not")
            }
            previous = bytes
            try requireBasisPoints(entry.basisPoints, "\(label) (\(entry.category))")
            state.put(.pointRate(category: entry.category), basisPointBytes(entry.basisPoints))
        }
    }

    mutating func setMemberMultiplier(_ body: SetMemberMultiplier, _ state: inout StateOverlay) throws {
        try require([.operator], "a member multiplier")
        try requireText(body.reason, "multiplier reason", max: POSLimits.reasonBytesMax)
        _ = try member(body.memberID, state)
        try requireBasisPoints(body.basisPoints, "multiplier of member \(body.memberID)")
        state.put(.memberMultiplier(body.memberID), basisPointBytes(body.basisPoints))
    }

    private func requireBasisPoints(_ value: Int64, _ what: String) throws {
        guard (0...POSLimits.pointRateBasisPointsMax).contains(value) else {
            throw reject(.invalidField, "\(what): \(value) basis points must be 0...\(POSLimits.pointRateBasisPointsMax) (0 to 10×)")
        }
    }

}

/// A points rate or multiplier value (basis points), shared by the state machine and ``WhatIfState``.
func basisPointBytes(_ value: Int64) -> [UInt8] {
    var encoder = CanonicalEncoder(capacity: 8)
    encoder.writeI64(value)
    return encoder.bytes
}
