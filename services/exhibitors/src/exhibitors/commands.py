"""The commands no caller sends: the reactions to outreach's conversions ask for these
(exhibitors.consumers). Every command a caller sends is declared in the service's
contract, pavilion_contracts.exhibitors.commands."""

from dataclasses import dataclass

from pavilion_contracts.exhibitors.commands import SubmitApplication


@dataclass(frozen=True)
class StartConversion:
    """outreach converted an interest (its stream at `interest_version`) and asks for
    `application`, which names the interest."""

    interest_version: int
    application: SubmitApplication


@dataclass(frozen=True)
class RefuseConversion:
    interest_id: str
    interest_version: int
    code: str
    reason: str
