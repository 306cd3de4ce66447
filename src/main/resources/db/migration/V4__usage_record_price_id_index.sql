-- The check DELETE /api/prices/{id} makes (PriceStore.delete), whether any record names the price row, runs while
-- writers wait to price their next batch: it must be an index lookup, not a read of the whole table. Partial: records
-- without a price (no tokens, or unpriced) are never looked up, and their writers skip the index.
--
-- A plain (not concurrent) build blocks writes to usage_record while it runs. On a large table, create the index by
-- hand with CONCURRENTLY before upgrading (docs/operations.md); this migration then finds it and does nothing.
create index if not exists usage_record_price_id on usage_record (price_id) where price_id is not null;
