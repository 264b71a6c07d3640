"""Pavilion's published contracts: one subpackage per service that publishes events
(`exhibitors`, `outreach`, `notifications`), each the single definition of what that
service's events, commands and public enums are. No behaviour beyond shapes,
validation and upcasting lives here."""
