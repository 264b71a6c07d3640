"""The exhibitors service's contract: its events, commands and public enums."""
