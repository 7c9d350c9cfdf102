import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSTill

/// A fixed receipt (fixed keys, time and basket) for test prints and golden bytes: the
/// same bytes on every machine, so emulated printers can expect them exactly.
public enum ReferenceReceipt {
    public static func make() -> ReceiptDocument {
        let key = SigningKey(seed: Array(Hash256.sha256(Array("sgpos-reference-receipt".utf8)).bytes))!
        let sale = Sale(
            receiptNumber: 42, training: false, memberID: "M01-0001",
            lines: [SaleLine(sku: "KOPI-O-PACK", category: "beverages", quantity: 2, unitPrice: 725, priceIncludesGST: true,
                             discounts: [], net: 1_450, gst: 120),
                    SaleLine(sku: "KAYA-JAR", category: "spreads", quantity: 1, unitPrice: 545, priceIncludesGST: true,
                             discounts: [], net: 545, gst: 45)],
            gstBasisPoints: 900, subtotal: 1_995, discount: 0, gst: 165, total: 1_995, rounding: 0, pointsRedeemed: 0,
            pointsEarned: 19, tenders: [.cash(tendered: 2_000, change: 5)])
        let envelope = TransactionEnvelope(
            chainID: ChainID("sgpos-demo-1")!, outletID: 1, signer: key.publicKey, sequence: 7,
            idempotencyID: IdempotencyID(bytes: Array(repeating: 7, count: 16))!, timestampMs: 1_772_416_800_000,
            body: POSBody.sale(sale).transactionBody)
        let transaction = envelope.signed(by: key)
        return ReceiptDocument.sale(
            sale, transaction: transaction, height: 12,
            merchant: Merchant(legalName: "Kopi & Kaya Pte Ltd", addressLines: ["10 Tampines Central 1 #02-01", "Singapore 529536"],
                               gstRegistrationNumber: "M2-0123456-7"),
            outletName: "Tampines Mall", till: "till-01")
    }
}
