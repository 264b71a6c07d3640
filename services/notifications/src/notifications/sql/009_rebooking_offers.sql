-- The application each re-booking offer was made from (issue 20): forgetting a contact
-- person of that application erases the offer's email to them too.
CREATE TABLE rebooking_offers (
    offer_id uuid PRIMARY KEY,
    application_id uuid NOT NULL
);
CREATE INDEX rebooking_offers_by_application ON rebooking_offers (application_id);
