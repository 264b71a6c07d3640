"""The dashboard's re-booking part: every offer counted once by where it stands, and the
rate of those accepted among all made (0 when none was made, never a division by 0)."""

from gateway.exhibitors.dashboard import NEEDS, Rebooking, statement


def test_the_rate_is_accepted_among_all_offers_made_and_zero_without_offers() -> None:
    shown = Rebooking.of((3, 1, 2, 2))  # accepted, declined, expired, pending
    assert (shown.offered, shown.accepted, shown.pending, shown.rate) == (8, 3, 2, 0.375)
    assert Rebooking.of(None).rate == 0.0 and Rebooking.of((0, 0, 0, 0)).offered == 0


def test_the_part_is_read_only_when_asked_for() -> None:
    assert NEEDS["rebooking"] == "rebooking"
    assert "rebooking_offers" in statement({"rebooking"})
    assert "rebooking_offers" not in statement({"booths"})
