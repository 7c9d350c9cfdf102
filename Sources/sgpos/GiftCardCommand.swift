import ArgumentParser
import SGPOSCodec
import SGPOSCommandSupport
import SGPOSCrypto
import SGPOSOperations
import SGPOSRetail
import SGPOSState
import SGPOSStore
import SGPOSTill

extension TillCommand {
    /// `sgpos till gift-card`: load stored value onto a gift card or a member's e-wallet, and
    /// read a card's balance. A card pays as a voucher tender (`sgpos till sell --pay voucher:CODE`).
    struct GiftCard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gift-card",
            abstract: "Load a gift card or a member's e-wallet (till key), or show a card's balance.",
            subcommands: [Load.self, Balance.self])

        struct Load: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Sell stored value onto a card: the customer pays, the balance grows.")
            @OptionGroup var connection: Connection
            @Option(help: "The card's code (as printed or encoded on the card).") var code: String
            @Option(help: "Amount, e.g. 50.00.") var amount: String
            @Option(help: "The member whose e-wallet this is (default: a bearer gift card).") var member: String = ""
            @Option(help: "cash[:TENDERED] | card:TERMINAL:APPROVAL:RRN:MASKEDPAN:SCHEME | nets:… | paynow:BILLREF") var pay: String = "cash"

            func run() async throws {
                let cents = try parseMoney(amount, "amount")
                let payment = try parsePayment(pay)
                let (_, height, store) = try await connection.submit { session, state, _ in
                    .giftCardLoad(try session.builder.buildGiftCardLoad(code: code, memberID: member, amount: cents, payment: payment, state: state))
                }
                let outlet = try outletOf(connection.data)
                let balance = try store.environment.read { txn in try store.stateReader(outlet, txn).giftCard(code: code)?.balance ?? 0 }
                print("loaded \(Money.decimal(cents: cents)) onto \(member.isEmpty ? "gift card" : "member \(member)'s e-wallet") in block \(height); balance \(Money.decimal(cents: balance))")
            }
        }

        struct Balance: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "A card's balance, loaded and redeemed totals (or, without --code, every card's: the liability).")
            @Option(help: "Node data directory.") var data: String
            @Option(help: "The card's code.") var code: String?

            func run() throws {
                let store = try openStore(data)
                let outlet = try outletOf(data)
                try store.environment.read { txn in
                    let state = store.stateReader(outlet, txn)
                    if let code {
                        guard let card = try state.giftCard(code: code) else { throw CLIError("no gift card with that code on outlet \(outlet)'s chain") }
                        print("\(card.memberID.isEmpty ? "gift card" : "e-wallet of member \(card.memberID)"): balance \(Money.decimal(cents: card.balance)), "
                              + "loaded \(Money.decimal(cents: card.loadedTotal)), redeemed \(Money.decimal(cents: card.redeemedTotal))")
                        return
                    }
                    var count = 0
                    var liability: Int64 = 0
                    try state.scan(.giftCards) { _, bytes in
                        let card = try GiftCardRecord(canonicalBytes: bytes)
                        count += 1
                        liability += card.balance
                        return true
                    }
                    print("outlet \(outlet): \(count) gift card(s) and e-wallet(s), balances \(Money.decimal(cents: liability)) (the liability)")
                }
            }
        }
    }
}
