"""Delivery: the outbox of filtered views, pushed to webhooks or collected from the inbox, acknowledged, retried."""
