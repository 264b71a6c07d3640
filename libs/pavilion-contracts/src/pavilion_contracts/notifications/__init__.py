"""The notifications service's contract: its events, commands and public enums."""
