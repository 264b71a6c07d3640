"""How every consumer of Pavilion's topics reads them: each event as the latest
version its producer's contract knows (pavilion_core.upcasting)."""

from pavilion_core.upcasting import TopicReader

from pavilion_contracts.exhibitors.upcasters import UPCASTERS as EXHIBITORS
from pavilion_contracts.notifications.upcasters import UPCASTERS as NOTIFICATIONS
from pavilion_contracts.outreach.upcasters import UPCASTERS as OUTREACH

READER = TopicReader(EXHIBITORS, OUTREACH, NOTIFICATIONS)
