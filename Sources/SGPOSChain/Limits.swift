/// Hard limits on every length and count the chain accepts (TigerStyle: put a limit on
/// everything). Encoders assert them, decoders reject input over them.
public enum Limits {
    /// Chain id: 1...64 bytes of `[a-z0-9-]`.
    public static let chainIDBytesMax = 64
    /// Names of outlets, admins, validators.
    public static let nameBytesMax = 128
    /// Principal of a key (till id, operator id): 1...64 bytes.
    public static let principalBytesMax = 64
    /// Transaction body bytes.
    public static let bodyBytesMax = 65_536
    /// Whole signed transaction bytes.
    public static let transactionBytesMax = 70_000
    /// Transactions in one submitted batch (`POST /v1/transactions/batch`; a batch may
    /// span several blocks).
    public static let batchTransactionsMax = 1_000
    /// Transactions in one block (a genesis parameter may lower it).
    public static let blockTransactionsMax = 65_536
    /// Entries in genesis lists (admins, outlets, validators, GST rates).
    public static let genesisEntriesMax = 1_024
    /// Largest state value.
    public static let stateValueBytesMax = 65_536
    /// Largest state key (without the table byte).
    public static let stateKeyBytesMax = 256
    /// Entries in one decoded write set (a block's, or a checkpoint's network changes).
    public static let writeSetEntriesMax = 4_194_304
}
