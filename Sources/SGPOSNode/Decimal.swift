/// Cents as a decimal string (`-0.05`).
func decimal(_ cents: Int64) -> String {
    let magnitude = cents.magnitude
    return (cents < 0 ? "-" : "") + "\(magnitude / 100)." + (magnitude % 100 < 10 ? "0" : "") + "\(magnitude % 100)"
}
