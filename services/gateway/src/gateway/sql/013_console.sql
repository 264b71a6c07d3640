-- What the console's pages ask of exhibitors (issue 18), filled here from the timeline
-- already recorded (a rebuild fills them by projection).

-- The contract's due date: cancelling for non-payment needs it passed, so an
-- application's allowed actions do too.
ALTER TABLE exhibitors ADD COLUMN contract_due_on date;
UPDATE exhibitors x SET contract_due_on = (t.data ->> 'dueDate')::date
FROM (SELECT DISTINCT ON (subject_id) subject_id, data FROM timeline
      WHERE type = 'ContractIssued' ORDER BY subject_id, stream_version DESC) t
WHERE t.subject_id = x.id::text;

-- Each edition's waitlist: the applications on it and what its priority looks at
-- (pavilion_contracts.exhibitors.rules.waitlist_priority); `arrival` is the version of
-- the waitlist's stream that added the entry.
CREATE TABLE waitlist (
    edition text NOT NULL,
    application_id uuid NOT NULL,
    previous_editions integer NOT NULL,
    booth_size_sqm integer,
    arrival integer NOT NULL,
    PRIMARY KEY (edition, application_id)
);
INSERT INTO waitlist (edition, application_id, previous_editions, booth_size_sqm, arrival)
SELECT DISTINCT ON (t.subject_id, t.data ->> 'applicationId')
       t.data ->> 'edition', (t.data ->> 'applicationId')::uuid,
       (t.data ->> 'previousEditions')::integer, (t.data ->> 'boothSizeSqm')::integer,
       t.stream_version
FROM timeline t
WHERE t.type = 'WaitlistEntryAdded'
  AND NOT EXISTS (SELECT 1 FROM timeline r
                  WHERE r.subject_id = t.subject_id AND r.type = 'WaitlistEntryRemoved'
                    AND r.data ->> 'applicationId' = t.data ->> 'applicationId'
                    AND r.stream_version > t.stream_version)
ORDER BY t.subject_id, t.data ->> 'applicationId', t.stream_version DESC;
