-- ApplicationSubmitted.v2 names each contact person's preferred language: mail to an
-- application's contacts goes in it (NULL: not named; outreach's language for the
-- address, or English).
ALTER TABLE application_contacts ADD COLUMN language text;
