-- A stored command result names every stream the command appended to (eventstore.py
-- AppendResult.streams); a result stored before named only its primary stream.
UPDATE idempotency_keys
SET result = result || jsonb_build_object(
    'streams', jsonb_build_object(result->>'stream_id', result->'version'))
WHERE NOT result ? 'streams';
