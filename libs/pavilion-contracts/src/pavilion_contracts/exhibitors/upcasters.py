"""The upcasters of exhibitors' events, from each published version to the next
(pavilion_core.upcasting): the aggregates, the gateway, the notifications app and
outreach's reactor all read exhibitors' events through these."""

from pavilion_core.upcasting import Data, Upcasters

UPCASTERS = Upcasters("exhibitors")


@UPCASTERS.register("ApplicationSubmitted", 1)
def application_submitted_v2(data: Data) -> Data:
    """v2 adds the company's postal address and each contact person's language. A v1
    knew the country only: the address is that country with nothing else known (no
    street lines, city, postal code or region), and a contact's language is unknown
    (null; notifications then write in the language outreach knows for that address,
    or English)."""
    address = {
        "streetLines": [],
        "city": None,
        "postalCode": None,
        "region": None,
        "country": data["country"],
    }
    contacts = [{**contact, "language": None} for contact in data["contacts"]]
    return {**data, "address": address, "contacts": contacts}
