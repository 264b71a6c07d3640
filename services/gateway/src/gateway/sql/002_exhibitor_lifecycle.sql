-- The rest of the application lifecycle (issue 3): contract, payments, booth, profile.
ALTER TABLE exhibitors
    ADD COLUMN website text,
    ADD COLUMN description text,
    ADD COLUMN previous_editions integer NOT NULL DEFAULT 0,
    ADD COLUMN contract_amount bigint,
    ADD COLUMN currency text,
    ADD COLUMN paid_amount bigint NOT NULL DEFAULT 0,
    ADD COLUMN booth_hall text,
    ADD COLUMN booth_code text,
    ADD COLUMN booth_size_sqm integer;

-- Every booth of every hall, and who holds it.
CREATE TABLE booths (
    edition text NOT NULL,
    hall text NOT NULL,
    code text NOT NULL,
    size_sqm integer NOT NULL,
    supply_chain_area text NOT NULL,
    allocated_to uuid,
    offered_to uuid,
    PRIMARY KEY (edition, hall, code)
);
