-- The send state of each email, written in the transaction that records its
-- notification (ledger row, consent decision, rendered message): a crash at any point
-- leaves either nothing or a message waiting here, never a notification REQUESTED
-- that nobody will send. A sender claims due messages in one short statement (status
-- SENDING, its lease_id until leased_until, on PostgreSQL's clock), talks SMTP with no
-- transaction open, then records the outcome only while it holds the lease. A crashed
-- sender's lease runs out and the message is sent again with the same Message-ID: at
-- most the message in flight goes out twice, and it is recognisable as the same one.
-- An opt-out (or withdrawn consent) that arrives while a message waits suppresses it.
CREATE TABLE mail_queue (
    notification_id uuid PRIMARY KEY REFERENCES notifications (id),
    recipient text NOT NULL,
    language text NOT NULL,
    message bytea,  -- as it goes on the wire; cleared once settled
    status text NOT NULL,  -- PENDING, SENDING, SENT, FAILED, SUPPRESSED
    attempts integer NOT NULL DEFAULT 0,  -- counted when claimed: a crash counts
    next_attempt_at timestamptz NOT NULL,
    last_error text,
    lease_id uuid,
    leased_until timestamptz,
    correlation_id text NOT NULL,  -- of the triggering event: the outcome's metadata
    causation_id text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at)
    WHERE status IN ('PENDING', 'SENDING');
