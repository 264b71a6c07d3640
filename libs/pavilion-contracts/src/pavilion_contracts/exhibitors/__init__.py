"""The exhibitors service's contract: its events, commands and public enums."""

from pavilion_contracts.exhibitors.enums import (
    ApplicationStatus,
    ConversionRefusalCode,
    RebookingStatus,
    SupplyChainArea,
    WaitlistRemovalReason,
)

__all__ = [
    "ApplicationStatus",
    "ConversionRefusalCode",
    "RebookingStatus",
    "SupplyChainArea",
    "WaitlistRemovalReason",
]
