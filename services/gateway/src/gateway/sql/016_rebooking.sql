-- Re-booking offers (issue 20): one row per offer, projected from its stream. Contact
-- persons are not copied here (the offer's events and the email sent hold them).
CREATE TABLE rebooking_offers (
    id uuid PRIMARY KEY,
    edition text NOT NULL,
    from_edition text NOT NULL,
    previous_application_id uuid NOT NULL,
    application_id uuid,
    company_name text NOT NULL,
    country text NOT NULL,
    status text NOT NULL,
    held_hall text,
    held_booth_code text,
    booth_size_sqm integer,
    deadline timestamptz NOT NULL,
    offered_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL
);
CREATE INDEX rebooking_offers_by_edition ON rebooking_offers (edition, status);
