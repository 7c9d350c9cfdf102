/// The software's version, as `sgpos --version` prints it and the Debian package is named
/// (`make package`). Bumped with each release; the formats it reads and writes are
/// versioned separately (docs/FORMAT.md).
public enum SGPOSVersion {
    public static let current = "0.9.0"
}
