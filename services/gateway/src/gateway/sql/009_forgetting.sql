-- Forgetting a person (GDPR art. 17). A forgotten contact keeps its row (ids, country,
-- language, links) with every personal column cleared and the instant it was
-- forgotten; personal columns may be NULL anyway, since once a person's key is
-- destroyed their events' personal values read as null (a rebuild must still work).
ALTER TABLE contacts
    ALTER COLUMN name DROP NOT NULL,
    ALTER COLUMN email DROP NOT NULL,
    ADD COLUMN forgotten_at timestamptz;
ALTER TABLE notifications ALTER COLUMN recipient DROP NOT NULL;
ALTER TABLE follow_ups ALTER COLUMN owner DROP NOT NULL;

-- The personal data of a timeline entry's `data` removed: only what `shape` (the
-- event type's entry of disclosure.json) declares not personal is kept, as the
-- VIEWER's redaction does (gateway/disclosure.py, whose rules this mirrors).
CREATE FUNCTION forget_personal(shape jsonb, value jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF jsonb_typeof(value) = 'array' THEN
        RETURN (SELECT coalesce(jsonb_agg(forget_personal(shape, item)), '[]'::jsonb)
                FROM jsonb_array_elements(value) AS item);
    ELSIF jsonb_typeof(value) = 'object' THEN
        RETURN (SELECT coalesce(jsonb_object_agg(key, CASE WHEN shape -> key = 'true'
                                                          THEN item
                                                          ELSE forget_personal(shape -> key, item)
                                                     END), '{}'::jsonb)
                FROM jsonb_each(value) AS e(key, item)
                WHERE shape -> key = 'true' OR jsonb_typeof(shape -> key) = 'object');
    END IF;
    RETURN 'null'::jsonb;
END
$$;

-- The addresses (lower case) of the given appearances of an application's contact
-- entries, read from its timeline: entry n (from 1) of ApplicationSubmitted's contacts
-- in order, then each ExhibitorContactAdded (what ExhibitorContactForgotten names).
CREATE FUNCTION application_contact_addresses(application text, appearances int[])
RETURNS text[] LANGUAGE plpgsql STABLE AS $$
DECLARE
    submitted int := (SELECT coalesce(jsonb_array_length(data -> 'contacts'), 0) FROM timeline
                      WHERE subject_id = application AND type = 'ApplicationSubmitted');
BEGIN
    RETURN (SELECT coalesce(array_agg(DISTINCT lower(entry ->> 'email'))
                            FILTER (WHERE entry ->> 'email' IS NOT NULL), '{}')
            FROM (SELECT c.entry, c.n FROM timeline t,
                         jsonb_array_elements(t.data -> 'contacts') WITH ORDINALITY AS c(entry, n)
                  WHERE t.subject_id = application AND t.type = 'ApplicationSubmitted'
                  UNION ALL
                  SELECT data, coalesce(submitted, 0) + row_number() OVER (ORDER BY stream_version)
                  FROM timeline
                  WHERE subject_id = application AND type = 'ExhibitorContactAdded') AS entries
            WHERE n = ANY (appearances));
END
$$;
