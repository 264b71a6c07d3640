-- What re-booking asks the event store across streams (exhibitors.rebooking.PgFinder),
-- without reading every event: an edition's applications, and the offers. Each
-- stream's other events are found by the (stream_id, version) key.
CREATE INDEX events_applications_by_edition ON events ((data ->> 'edition'))
    WHERE type = 'ApplicationSubmitted';
CREATE INDEX events_rebooking_offers ON events (position) WHERE type = 'RebookingOffered';
