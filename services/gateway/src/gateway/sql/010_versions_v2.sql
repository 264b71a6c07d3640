-- ApplicationSubmitted.v2: the exhibiting company's postal address (JSON: streetLines,
-- city, postalCode, region, country); contacts (already JSON) gain their language.
-- Rows projected from v1 get what upcasting a v1 gives: the country, nothing else.
ALTER TABLE exhibitors ADD COLUMN address jsonb;
UPDATE exhibitors SET address = jsonb_build_object(
    'streetLines', '[]'::jsonb, 'city', NULL, 'postalCode', NULL, 'region', NULL,
    'country', country);
ALTER TABLE exhibitors ALTER COLUMN address SET NOT NULL;
