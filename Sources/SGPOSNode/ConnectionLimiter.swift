import Synchronization

/// Caps concurrent connections on a port, in all and per remote address, so that no
/// number of connections can grow the node's memory without bound. A connection over a
/// cap is closed at once; the refusal names the cap (the caller logs it).
final class ConnectionLimiter: Sendable {
    /// Most connections open at once.
    let totalMax: Int
    /// Most connections open at once from one remote address.
    let perAddressMax: Int
    private struct Counts {
        var total = 0
        var byAddress: [String: Int] = [:]  // looked up only, never iterated; entries removed at 0
        var refused = 0
    }
    private let counts = Mutex(Counts())
    /// Addresses that keep slots of their own beyond `totalMax` (the configured peers'), so
    /// a flood from elsewhere that fills every other slot cannot keep a real peer out.
    let reserved: Set<String>
    /// Connections each reserved address may hold beyond `totalMax`.
    let reservedPerAddress: Int

    init(totalMax: Int, perAddressMax: Int, reserved: Set<String> = [], reservedPerAddress: Int = 2) {
        precondition(totalMax >= 1 && perAddressMax >= 1 && perAddressMax <= totalMax, "connection caps")
        precondition(reservedPerAddress >= 1 && reservedPerAddress <= perAddressMax, "reserved slots")
        self.totalMax = totalMax
        self.perAddressMax = perAddressMax
        self.reserved = reserved
        self.reservedPerAddress = reservedPerAddress
    }

    /// Most connections open at once, reserved slots included.
    var bound: Int { totalMax + reserved.count * reservedPerAddress }

    /// Admits a connection from `address` (then ``release(_:)`` it when it ends), or says
    /// which cap it would exceed and how many connections were refused so far (so that a
    /// flood is logged at 1, 2, 4, 8… refusals, not once per connection).
    func admit(_ address: String) -> (reason: String, refusedSoFar: Int)? {
        counts.withLock { counts in
            let fromAddress = counts.byAddress[address, default: 0]
            // A reserved address is admitted past the total cap for its few own slots: the
            // total stays within `bound`.
            let ownSlot = reserved.contains(address) && fromAddress < reservedPerAddress
            guard counts.total < totalMax || (ownSlot && counts.total < bound) else {
                counts.refused += 1
                return ("\(counts.total) connections are open (limit \(totalMax))", counts.refused)
            }
            guard fromAddress < perAddressMax else {
                counts.refused += 1
                return ("\(fromAddress) connections from \(address) are open (limit \(perAddressMax) per address)", counts.refused)
            }
            counts.total += 1
            counts.byAddress[address] = fromAddress + 1
            return nil
        }
    }

    func release(_ address: String) {
        counts.withLock { counts in
            guard let fromAddress = counts.byAddress[address] else { return }
            assert(counts.total > 0, "released more connections than admitted")
            counts.total -= 1
            counts.byAddress[address] = fromAddress > 1 ? fromAddress - 1 : nil
        }
    }

    /// Whether the `refusedSoFar`-th refusal is one to log: the 1st, 2nd, 4th, 8th… (a flood
    /// leaves a trace in the log without filling it).
    static func isWorthLogging(_ refusedSoFar: Int) -> Bool {
        refusedSoFar > 0 && refusedSoFar & (refusedSoFar - 1) == 0
    }

    /// Connections open now.
    var open: Int { counts.withLock { $0.total } }
}
