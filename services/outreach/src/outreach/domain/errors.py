"""What the outreach domain refuses beyond the shared refusals."""

from pavilion_core.errors import CommandRejected


class Merged(CommandRejected):
    """The record was merged into another: commands go to the survivor."""

    code = "MERGED"
    status = 409

    def __init__(self, kind: str, merged_id: str, survivor_id: str) -> None:
        super().__init__(f"{kind} {merged_id} was merged into {survivor_id}; use {survivor_id}")
        self.survivor_id = survivor_id
