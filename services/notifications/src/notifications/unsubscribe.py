"""Signed unsubscribe links: one click opts the address out at once. The token names
the address and is signed with the service's secret, so nobody can opt out another."""

from itsdangerous import BadSignature, URLSafeSerializer
from pavilion_core.errors import InvalidValue


class UnsubscribeLinks:
    def __init__(self, secret: str, base_url: str) -> None:
        if len(secret) < 32:
            raise ValueError("the unsubscribe secret needs at least 32 characters")
        self._serializer = URLSafeSerializer(secret, salt="pavilion.unsubscribe")
        self.base_url = base_url.rstrip("/")

    def link(self, address: str) -> str:
        return f"{self.base_url}/unsubscribe/{self._serializer.dumps(address.lower())}"

    def address(self, token: str) -> str:
        """The address a token was made for; a forged or damaged one is refused."""
        try:
            address = self._serializer.loads(token)
        except BadSignature:
            raise InvalidValue("token", "this unsubscribe link is not valid") from None
        if not isinstance(address, str):
            raise InvalidValue("token", "this unsubscribe link is not valid")
        return address
