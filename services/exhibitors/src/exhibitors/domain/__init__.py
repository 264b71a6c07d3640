"""The exhibitors domain: applications, floor plans, waitlists. No I/O here."""
