"""Pavilion's outreach service."""
