/// Types of the rules language. Lists carry their static maximum length.
indirect enum ValueType: Equatable, Sendable, CustomStringConvertible {
    case int, money, bool, string, tier, rounding, line, unit
    case record(String)
    case list(ValueType, max: Int)

    var description: String {
        switch self {
        case .int: "Int"
        case .money: "Money"
        case .bool: "Bool"
        case .string: "String"
        case .tier: "Tier"
        case .rounding: "Rounding"
        case .line: "Line"
        case .unit: "Unit"
        case .record(let name): name
        case .list(let element, let max): "List<\(element)> (≤ \(max))"
        }
    }

    var isNumeric: Bool { self == .int || self == .money }
}

/// Host limits the static cost bound is computed with.
public enum ContractLimits {
    public static let linesMax = 500
    public static let unitsMax = 1_024
    public static let costMax: UInt64 = 200_000
    public static let effectsMax = 1_024
    public static let tiers = ["bronze", "silver", "gold", "platinum", "diamond"]
    public static let roundings = ["floor", "ceil", "trunc", "half_up", "half_even"]
}

/// Fields of host records and list elements.
enum Fields {
    static func type(of field: String, in type: ValueType) -> ValueType? {
        switch (type, field) {
        case (.record("Basket"), "lines"): .list(.line, max: ContractLimits.linesMax)
        case (.record("Basket"), "subtotal"): .money
        case (.record("Basket"), "units"): .int
        case (.record("Customer"), "is_member"): .bool
        case (.record("Customer"), "tier"): .tier
        case (.record("Customer"), "lifetime_spend"): .money
        case (.record("Customer"), "points"): .int
        case (.record("Customer"), "id"): .string
        case (.record("Customer"), "multiplier"): .int
        case (.record("Context"), "time"): .int
        case (.record("Context"), "outlet"): .int
        case (.record("Counter"), "used"), (.record("Counter"), "max"), (.record("Counter"), "left"): .int
        case (.line, "sku"), (.line, "category"), (.line, "tax"): .string
        case (.line, "qty"), (.line, "index"), (.line, "gst_rate"): .int
        case (.line, "unit_price"), (.line, "net"), (.line, "net_with_gst"): .money
        case (.line, "includes_gst"): .bool
        case (.unit, "line"): .int
        case (.unit, "price"): .money
        default: nil
        }
    }
}

/// Saturating arithmetic for the static cost bound (cel-go's addUint64NoOverflow).
extension UInt64 {
    func plus(_ other: UInt64) -> UInt64 { let (v, o) = addingReportingOverflow(other); return o ? .max : v }
    func times(_ other: UInt64) -> UInt64 { let (v, o) = multipliedReportingOverflow(by: other); return o ? .max : v }
}

/// ⌈log₂ n⌉ (0 for n ≤ 1).
func ceilLog2(_ n: Int) -> UInt64 {
    guard n > 1 else { return 0 }
    return UInt64(Int.bitWidth - (n - 1).leadingZeroBitCount)
}
