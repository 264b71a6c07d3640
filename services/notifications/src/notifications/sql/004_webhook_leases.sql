-- A deliverer claims a due delivery with a lease (its own lease_id until leased_until,
-- on PostgreSQL's clock) in one short statement, posts with no transaction open, then
-- records the outcome only if it still holds the lease. A crashed deliverer's lease
-- runs out and another one retries (same webhook-id: at least once).
ALTER TABLE webhook_deliveries
    ADD COLUMN lease_id uuid,
    ADD COLUMN leased_until timestamptz;

-- Deleted endpoints stay (their deliveries keep their history) but get nothing more.
ALTER TABLE webhook_endpoints
    ADD COLUMN deleted_at timestamptz;

-- list_deliveries: an endpoint's deliveries, newest first, keyset-paged.
CREATE INDEX webhook_deliveries_by_endpoint
    ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
