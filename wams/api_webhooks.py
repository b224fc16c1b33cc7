"""The webhook part of the Python API (:class:`wams.api.Wams` inherits it): subscriptions of a
municipality, the events they are owed and the secrets their deliveries are signed with."""

from __future__ import annotations

from typing import Any

from wams.core.engine import Engine


class WebhookMethods:
    """Subscriptions; see :mod:`wams.service.webhooks` for the delivery."""

    @property
    def engine(self) -> Engine:  # provided by Wams
        raise NotImplementedError

    def subscribe(self, gemeente: str, url: str,
                  steps: list[str] | None = None) -> tuple[int, str]:
        """A webhook subscription of ``gemeente``: owed every step from now on (only
        ``steps`` if given). Returns its id and its signing secret (``whsec_...``), which is
        shown this once."""
        from wams.core.engine import webhook_subscriptions

        return webhook_subscriptions.subscribe(self.engine, gemeente, url, steps)

    def rotate_subscription_secret(self, gemeente: str, subscription_id: int) -> str | None:
        """A new signing secret (the previous one still signs for a day); None if there is
        no such subscription in ``gemeente``."""
        from wams.core.engine import webhook_subscriptions

        return webhook_subscriptions.rotate_secret(self.engine, gemeente, subscription_id)

    def signature(self, subscription: dict[str, Any], event_id: str, timestamp: int,
                  body: bytes) -> str | None:
        """The Standard Webhooks ``webhook-signature`` of a delivery to ``subscription`` (a
        :meth:`subscriptions` row): ``v1,<base64>`` per secret in force (two for a day after a
        rotation); None for a subscription made before deliveries were signed."""
        from wams.core.privacy import webhook_secrets

        if subscription.get("secret_key_id") is None:
            return None
        secrets = webhook_secrets.signing_secrets(self.engine.keys, subscription,
                                                  self.engine.clock.now())
        return webhook_secrets.sign(secrets, event_id, timestamp, body)

    def unsubscribe(self, gemeente: str, subscription_id: int) -> bool:
        from wams.core.engine import webhook_subscriptions

        return webhook_subscriptions.unsubscribe(self.engine, gemeente, subscription_id)

    def subscriptions(self, gemeente: str | None = None) -> list[dict[str, Any]]:
        """Subscriptions (of ``gemeente``, or all) with ``delivered_n``, their position,
        ``steps``, the steps they want (None: all), and ``vouched``: whether the keyed chain
        vouches for the row as stored (False: inserted, changed or put back around wams —
        nothing may be delivered to it; ``wams audit verify`` names it)."""
        from wams.core.engine import webhook_subscriptions

        return webhook_subscriptions.listing(self.engine, gemeente)

    def owed_events(self, gemeente: str, after_n: int, limit: int = 100,
                    ) -> list[dict[str, Any]]:
        """The steps of ``gemeente`` after history position ``after_n``: ids only."""
        from wams.core.engine import webhook_subscriptions

        return webhook_subscriptions.owed(self.engine, gemeente, after_n, limit)

    def delivered(self, subscription_id: int, old_n: int, new_n: int) -> bool:
        """Move a subscription's position from ``old_n`` to ``new_n`` (False: another
        deliverer moved it first)."""
        from wams.core.engine import webhook_subscriptions

        return webhook_subscriptions.advance(self.engine, subscription_id, old_n, new_n)
