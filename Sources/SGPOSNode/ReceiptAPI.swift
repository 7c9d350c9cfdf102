import Hummingbird
import SGPOSDevices
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
        switch try receiptDocument(idText, caller: caller) {
        case .problem(let response):
            return response
        case .found(let id, let document):
            let kind = if case .creditNote = document.kind { "refund" } else { "sale" }
            return try json(API.Receipt(transactionId: id.hex, kind: kind, number: document.number, total: decimal(document.total),
                                        lines: ReceiptTextRenderer(columns: 42).render(document), qrPayload: document.qr.description))
        }
    }

    /// `POST /v1/transactions/{id}/print`: queues the receipt (or credit note) of a
    /// transaction of this outlet on the node's receipt printer. A till or operator of the
    /// outlet, an auditor or an admin; 409 when no printer is configured.
    func printReceipt(_ idText: String, request: Request, body: [UInt8]) throws -> Response {
        let caller = try auth.authorize(request, body: body, .outletStaff(node.outletID))
        _ = try decodeJSON(API.PrintRequest.self, body)
        guard Hash256(hex: idText) != nil else { return problem(.badRequest, "malformed", 1, "transaction id must be 64 hex digits") }
        guard let printing = receiptPrinting else {
            return problem(.conflict, "conflict", 0, "this node has no receipt printer configured (node configuration \"printer\"; docs/OPERATIONS.md)")
        }
        switch try receiptDocument(idText, caller: caller) {
        case .problem(let response):
            return response
        case .found(let id, let document):
            let waiting: Int
            do { waiting = try printing.enqueue(document, id: id.hex) } catch let error as DeviceError {
                return problem(.serviceUnavailable, "overloaded", Int(error.code), "the receipt cannot be queued: \(error.message)")
            }
            return try json(API.PrintResponse(queued: true, printer: printing.printer.profile.name, pending: waiting,
                                              problem: printing.problem), status: .accepted)
        }
    }

    enum ReceiptLookup {
        case found(Hash256, ReceiptDocument)
        case problem(Response)
    }

    /// The receipt or credit note of transaction `idText` as the chain holds it, for a
    /// caller that may read its outlet's receipts.
    func receiptDocument(_ idText: String, caller: Caller?) throws -> ReceiptLookup {
        func refuse(_ status: HTTPResponse.Status, _ name: String, _ code: Int, _ message: String) -> ReceiptLookup {
            .problem(problem(status, name, code, message))
        }
        guard let id = Hash256(hex: idText) else { return refuse(.badRequest, "malformed", 1, "transaction id must be 64 hex digits") }
        let found: (TransactionLocation, SignedTransaction, String)? = try node.read { txn in
            guard let (location, transaction) = try node.store.storedTransaction(id, txn) else { return nil }
            let till = try node.store.stateReader(location.outletID, txn).read(.key(transaction.envelope.signer))
                .map { try KeyRecord(canonicalBytes: $0).principal } ?? transaction.envelope.signer.hex
            return (location, transaction, till)
        }
        guard let (location, transaction, till) = found else { return refuse(.notFound, "not-found", 0, "no transaction \(idText) here") }
        if let caller, !caller.may(.outletStaff(location.outletID)) {
            throw RequestAuthError(.forbidden, "\(caller.record.role) \"\(caller.record.principal)\" of outlet \(caller.record.outletID) may not read outlet \(location.outletID)'s receipts: it needs \(Caller.describe(.outletStaff(location.outletID)))")
        }
        guard case .application(let type, let payload) = transaction.envelope.body else {
            return refuse(.notFound, "not-found", 0, "transaction \(idText) is not a sale or a refund")
        }
        let outletName = node.genesis.outlet(location.outletID)?.name ?? "outlet \(location.outletID)"
        let merchant = node.config.merchant ?? .unconfigured(outletName: outletName)
        let document: ReceiptDocument
        switch try POSBody.decode(type: type, payload: payload) {
        case .sale(let sale):
            var receipt = ReceiptDocument.sale(sale, transaction: transaction, height: location.height, merchant: merchant, outletName: outletName, till: till)
            try node.read { txn in try receipt.addCoupons(ofSale: id, state: node.store.stateReader(location.outletID, txn)) }
            document = receipt
        case .refund(let refund):
            let original = try node.read { txn -> (Sale, String)? in
                guard let (at, saleTransaction) = try node.store.storedTransaction(refund.originalSale, txn),
                      case .application(let type, let payload) = saleTransaction.envelope.body,
                      case .sale(let sale) = try POSBody.decode(type: type, payload: payload) else { return nil }
                let signer = saleTransaction.envelope.signer
                let till = try node.store.stateReader(at.outletID, txn).read(.key(signer))
                    .map { try KeyRecord(canonicalBytes: $0).principal } ?? signer.hex
                return (sale, till)
            }
            guard let (sale, originalTill) = original else {
                return refuse(.notFound, "not-found", 0, "the sale refunded by \(idText) is not here")
            }
            let lines = sale.lines.map { SaleRecord.Line(sku: $0.sku, taxCategory: $0.taxCategory, quantity: $0.quantity, amount: $0.paid, gst: $0.gst) }
            document = .refund(refund, originalReceiptNumber: sale.receiptNumber, originalTill: originalTill, originalLines: lines,
                               transaction: transaction, height: location.height, merchant: merchant, outletName: outletName, till: till)
        default:
            return refuse(.notFound, "not-found", 0, "transaction \(idText) is not a sale or a refund")
        }
        return .found(id, document)
    }
}
