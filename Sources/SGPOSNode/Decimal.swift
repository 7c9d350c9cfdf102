import SGPOSRetail

/// Cents as a decimal string (`-0.05`): ``Money/decimal(cents:)``.
func decimal(_ cents: Int64) -> String { Money.decimal(cents: cents) }
