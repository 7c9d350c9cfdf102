/// `README.txt` of an audit export: what an inspector finds in the directory.
enum AuditReadme {
    static let text = """
        SGPOS Ledger audit export (format sgpos-audit-export/1)

        The CSV files list the transactions whose business date is between the manifest's
        "from" and "to" dates (Singapore). Money is in integer cents (12345 is S$123.45).
        Every row names its transaction by tx_id, the id of a signed transaction in the
        chain files. The columns are documented in docs/EXPORT.md of SGPOS Ledger.

          transactions.csv   every transaction: outlet, block, kind, signer, time, business date
          sales.csv          sales (tax invoices): receipt number, totals, GST
          rule_counter_moves.csv  the counters each sale's promotion rules moved
          sale_lines.csv     the lines of each sale, with tax category and discounts
          rule_skips.csv     promotions that did not apply to a sale, and why
          tenders.csv        how each sale was paid and each refund paid back
          refunds.csv        credit notes; refund_lines.csv their lines;
                             refund_adjustments.csv kept lines a re-priced return re-priced
          voids.csv          post-voided sales
          z_reports.csv      day-closes (Z-reports) with their totals
          stock_movements.csv  stock received, sold, returned, counted, adjusted, transferred
          stock_receipts.csv   goods received, with the supplier's invoice when costed
          lot_movements.csv    units of each lot (GTIN and batch) received, moved, sold, voided
          loyalty_events.csv   member enrolments, points adjustments, claims, settlements
          gift_card_loads.csv  stored value sold onto gift cards and e-wallets
          recalls.csv          product recalls each outlet recorded (from a checkpoint)
          shift_events.csv     shifts opened and closed, cash in and out, drawer openings
          blocks.csv         the blocks holding those transactions
          keys.csv           every key of the network and its role
          checkpoints.csv    checkpoints the outlets agreed on (final)
          chain/             the signed chains themselves, from the first block
          genesis.json       the network's genesis
          manifest.json      SHA-256 of every file; manifest.sig its signature by the node

        To prove the files match the chain, with the genesis you hold:
          sgpos audit check-export THIS-DIRECTORY --genesis GENESIS.json

        """
}
