"""The upcasters of notifications' events, from each published version to the next
(pavilion_core.upcasting). None yet: every notifications event is at v1."""

from pavilion_core.upcasting import Upcasters

UPCASTERS = Upcasters("notifications")
