"""The outreach domain: organizations, contacts and consent, delegations, trips,
outreach events, interests and follow-ups. No I/O here."""
