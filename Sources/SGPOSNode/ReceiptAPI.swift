import Hummingbird
import SGPOSChain
import SGPOSClient
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState
import SGPOSStore
import SGPOSTill

extension NodeAPI {
    /// `GET /v1/transactions/{id}/receipt`: the receipt of a sale or the credit note of a
    /// refund, rendered from the chain by the till's own renderer (42 columns), for the web
    /// till to show and reprint. The same callers as `GET /v1/transactions/{id}`.
    func receipt(_ idText: String, request: Request) throws -> Response {
        let caller = try auth.authorize(request, body: nil, .anyKey)
        guard let id = Hash256(hex: idText) else { return problem(.badRequest, "malformed", 1, "transaction id must be 64 hex digits") }
        let found: (TransactionLocation, SignedTransaction, String)? = try node.read { txn in
            guard let location = try node.store.location(of: id, txn),
                  let block = try node.store.block(location.outletID, height: location.height, txn) else { return nil }
            let transaction = block.transactions[Int(location.index)]
            let till = try node.store.stateReader(location.outletID, txn).read(.key(transaction.envelope.signer))
                .map { try KeyRecord(canonicalBytes: $0).principal } ?? transaction.envelope.signer.hex
            return (location, transaction, till)
        }
        guard let (location, transaction, till) = found else { return problem(.notFound, "not-found", 0, "no transaction \(idText) here") }
        if let caller, !caller.may(.outletStaff(location.outletID)) {
            throw RequestAuthError(.forbidden, "\(caller.record.role) \"\(caller.record.principal)\" of outlet \(caller.record.outletID) may not read outlet \(location.outletID)'s receipts: it needs \(Caller.describe(.outletStaff(location.outletID)))")
        }
        guard case .application(let type, let payload) = transaction.envelope.body else {
            return problem(.notFound, "not-found", 0, "transaction \(idText) is not a sale or a refund")
        }
        let merchant = node.config.merchant ?? Merchant(
            legalName: node.genesis.outlet(location.outletID)?.name ?? "outlet \(location.outletID)", addressLines: [],
            gstRegistrationNumber: "not set")
        let outletName = node.genesis.outlet(location.outletID)?.name ?? "outlet \(location.outletID)"
        let document: ReceiptDocument
        switch try POSBody.decode(type: type, payload: payload) {
        case .sale(let sale):
            document = .sale(sale, transaction: transaction, height: location.height, merchant: merchant, outletName: outletName, till: till)
        case .refund(let refund):
            let original = try node.read { txn -> (Sale, String)? in
                guard let at = try node.store.location(of: refund.originalSale, txn),
                      let block = try node.store.block(at.outletID, height: at.height, txn),
                      case .application(let type, let payload) = block.transactions[Int(at.index)].envelope.body,
                      case .sale(let sale) = try POSBody.decode(type: type, payload: payload) else { return nil }
                let signer = block.transactions[Int(at.index)].envelope.signer
                let till = try node.store.stateReader(at.outletID, txn).read(.key(signer))
                    .map { try KeyRecord(canonicalBytes: $0).principal } ?? signer.hex
                return (sale, till)
            }
            guard let (sale, originalTill) = original else {
                return problem(.notFound, "not-found", 0, "the sale refunded by \(idText) is not here")
            }
            let lines = sale.lines.map { SaleRecord.Line(sku: $0.sku, taxCategory: $0.taxCategory, quantity: $0.quantity, amount: $0.paid, gst: $0.gst) }
            document = .refund(refund, originalReceiptNumber: sale.receiptNumber, originalTill: originalTill, originalLines: lines,
                               transaction: transaction, height: location.height, merchant: merchant, outletName: outletName, till: till)
        default:
            return problem(.notFound, "not-found", 0, "transaction \(idText) is not a sale or a refund")
        }
        let kind = if case .creditNote = document.kind { "refund" } else { "sale" }
        return try json(API.Receipt(transactionId: id.hex, kind: kind, number: document.number, total: decimal(document.total),
                                    lines: ReceiptTextRenderer(columns: 42).render(document), qrPayload: document.qr.description))
    }
}
