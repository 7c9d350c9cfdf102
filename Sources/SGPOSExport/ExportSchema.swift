/// The PostgreSQL schema of the chain mirror (docs/EXPORT.md): one row per block,
/// transaction, sale line, tender, refund line, void, day-close, stock movement and
/// points event, money as BIGINT cents, keys that are the chain's ids (hex). Created with
/// `IF NOT EXISTS`, so running the exporter against its own database again changes nothing.
public enum ExportSchema {
    /// Bumped when a table changes; the exporter refuses a database of another version.
    public static let version: Int64 = 3

    public static let statements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS sgpos_export_meta (
          key text PRIMARY KEY, value text NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS sgpos_export_watermark (
          outlet_id bigint PRIMARY KEY, height bigint NOT NULL, block_id text NOT NULL, period bigint NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS outlets (
          outlet_id bigint PRIMARY KEY, name text NOT NULL, node_key text NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS blocks (
          outlet_id bigint NOT NULL, height bigint NOT NULL, block_id text NOT NULL UNIQUE,
          time_ms bigint NOT NULL, transactions bigint NOT NULL, PRIMARY KEY (outlet_id, height))
        """,
        """
        CREATE TABLE IF NOT EXISTS transactions (
          tx_id text PRIMARY KEY, outlet_id bigint NOT NULL, height bigint NOT NULL, index_in_block bigint NOT NULL,
          body_type bigint NOT NULL, kind text NOT NULL, signer text NOT NULL, principal text NOT NULL,
          time_ms bigint NOT NULL, period bigint NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS sales (
          tx_id text PRIMARY KEY, outlet_id bigint NOT NULL, receipt_number bigint NOT NULL, training boolean NOT NULL,
          member_id text NOT NULL, gst_basis_points bigint NOT NULL, subtotal bigint NOT NULL, discount bigint NOT NULL,
          gst bigint NOT NULL, total bigint NOT NULL, rounding bigint NOT NULL, points_redeemed bigint NOT NULL,
          points_earned bigint NOT NULL, rule_reward_points bigint NOT NULL, rule_tier bigint NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS rule_counter_moves (
          tx_id text NOT NULL, seq bigint NOT NULL, rule text NOT NULL, counter text NOT NULL, member_id text NOT NULL,
          by bigint NOT NULL, PRIMARY KEY (tx_id, seq))
        """,
        """
        CREATE TABLE IF NOT EXISTS rule_skips (
          tx_id text NOT NULL, seq bigint NOT NULL, rule text NOT NULL, reason text NOT NULL, PRIMARY KEY (tx_id, seq))
        """,
        """
        CREATE TABLE IF NOT EXISTS sale_lines (
          tx_id text NOT NULL, line_no bigint NOT NULL, sku text NOT NULL, category text NOT NULL, tax_category text NOT NULL,
          quantity bigint NOT NULL, unit_price bigint NOT NULL, price_includes_gst boolean NOT NULL, discount bigint NOT NULL,
          discount_rules text NOT NULL, net bigint NOT NULL, gst bigint NOT NULL, paid bigint NOT NULL,
          PRIMARY KEY (tx_id, line_no))
        """,
        """
        CREATE TABLE IF NOT EXISTS tenders (
          tx_id text NOT NULL, seq bigint NOT NULL, kind text NOT NULL, amount bigint NOT NULL, reference text NOT NULL,
          PRIMARY KEY (tx_id, seq))
        """,
        """
        CREATE TABLE IF NOT EXISTS refunds (
          tx_id text PRIMARY KEY, outlet_id bigint NOT NULL, original_tx_id text NOT NULL, credit_note_number bigint NOT NULL,
          reason text NOT NULL, restock boolean NOT NULL, gst_basis_points bigint NOT NULL, amount bigint NOT NULL,
          gst bigint NOT NULL, points_reversed bigint NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS refund_lines (
          tx_id text NOT NULL, seq bigint NOT NULL, line_no bigint NOT NULL, quantity bigint NOT NULL, amount bigint NOT NULL,
          gst bigint NOT NULL, PRIMARY KEY (tx_id, seq))
        """,
        """
        CREATE TABLE IF NOT EXISTS refund_adjustments (
          tx_id text NOT NULL, line_no bigint NOT NULL, amount bigint NOT NULL, gst bigint NOT NULL, PRIMARY KEY (tx_id, line_no))
        """,
        """
        CREATE TABLE IF NOT EXISTS voids (
          tx_id text PRIMARY KEY, outlet_id bigint NOT NULL, original_tx_id text NOT NULL, reason text NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS z_reports (
          tx_id text PRIMARY KEY, outlet_id bigint NOT NULL, z_number bigint NOT NULL, business_date date NOT NULL,
          sales_count bigint NOT NULL, sales_total bigint NOT NULL, refunds_count bigint NOT NULL, refunds_total bigint NOT NULL,
          voids_count bigint NOT NULL, voids_total bigint NOT NULL, gst bigint NOT NULL, UNIQUE (outlet_id, z_number))
        """,
        """
        CREATE TABLE IF NOT EXISTS stock_movements (
          tx_id text NOT NULL, seq bigint NOT NULL, outlet_id bigint NOT NULL, sku text NOT NULL, kind text NOT NULL,
          change bigint NOT NULL, unit_cost bigint, reference text NOT NULL, PRIMARY KEY (tx_id, seq))
        """,
        """
        CREATE TABLE IF NOT EXISTS stock_receipts (
          tx_id text PRIMARY KEY, outlet_id bigint NOT NULL, reference text NOT NULL, supplier text NOT NULL, cost bigint,
          input_gst bigint)
        """,
        """
        CREATE TABLE IF NOT EXISTS loyalty_events (
          tx_id text PRIMARY KEY, outlet_id bigint NOT NULL, member_id text NOT NULL, kind text NOT NULL, points bigint NOT NULL,
          reason text NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS lot_movements (
          tx_id text NOT NULL, seq bigint NOT NULL, outlet_id bigint NOT NULL, gtin text NOT NULL, lot text NOT NULL, sku text NOT NULL,
          kind text NOT NULL, change bigint NOT NULL, expiry_day bigint, PRIMARY KEY (tx_id, seq))
        """,
        """
        CREATE TABLE IF NOT EXISTS recalls (
          tx_id text PRIMARY KEY, outlet_id bigint NOT NULL, recall_id text NOT NULL, checkpoint bigint NOT NULL, gtin text NOT NULL,
          lot text NOT NULL, reason text NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS gift_card_loads (
          tx_id text PRIMARY KEY, outlet_id bigint NOT NULL, card_hash text NOT NULL, member_id text NOT NULL, amount bigint NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS shift_events (
          tx_id text PRIMARY KEY, outlet_id bigint NOT NULL, principal text NOT NULL, kind text NOT NULL, amount bigint,
          expected bigint, reason text NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS checkpoints (
          height bigint PRIMARY KEY, round bigint NOT NULL, value_id text NOT NULL UNIQUE, heads text NOT NULL,
          history_root text NOT NULL, network_root text NOT NULL, precommit_validators text NOT NULL, evidence bigint NOT NULL,
          validator_updates bigint NOT NULL, allowance_grants bigint NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS checkpoint_heads (
          height bigint NOT NULL, outlet_id bigint NOT NULL, block_height bigint NOT NULL, block_id text NOT NULL,
          PRIMARY KEY (height, outlet_id))
        """,
        // A transaction's business date (docs/REPORTS.md): the date of the day-close that
        // closes its period, else its block's Singapore date.
        """
        CREATE OR REPLACE VIEW transaction_dates AS
        SELECT t.tx_id, t.outlet_id,
               COALESCE(z.business_date, (to_timestamp(b.time_ms / 1000) AT TIME ZONE 'Asia/Singapore')::date) AS business_date
        FROM transactions t
        JOIN blocks b ON b.outlet_id = t.outlet_id AND b.height = t.height
        LEFT JOIN z_reports z ON z.outlet_id = t.outlet_id AND z.z_number = t.period
        """,
        // The sales report's totals per outlet and business date (`sgpos report sales`).
        """
        CREATE OR REPLACE VIEW sales_by_day AS
        SELECT d.outlet_id, d.business_date,
               count(s.tx_id) FILTER (WHERE NOT s.training) AS sales_count,
               COALESCE(sum(s.total) FILTER (WHERE NOT s.training), 0)::bigint AS sales_total,
               count(r.tx_id) AS refunds_count, COALESCE(sum(r.amount), 0)::bigint AS refunds_total,
               count(v.tx_id) AS voids_count, COALESCE(sum(o.total), 0)::bigint AS voids_total
        FROM transaction_dates d
        LEFT JOIN sales s ON s.tx_id = d.tx_id
        LEFT JOIN refunds r ON r.tx_id = d.tx_id
        LEFT JOIN voids v ON v.tx_id = d.tx_id
        LEFT JOIN sales o ON o.tx_id = v.original_tx_id
        WHERE s.tx_id IS NOT NULL OR r.tx_id IS NOT NULL OR v.tx_id IS NOT NULL
        GROUP BY d.outlet_id, d.business_date
        """,
    ]
}
