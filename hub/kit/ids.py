"""Identifier formats shared by the registry and the API."""

from __future__ import annotations

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
"""Partner and principal ids: lowercase letters, digits and hyphens, 1-64 characters, e.g. `politie-limburg`."""

KID_PATTERN = r"^[A-Za-z0-9._-]{8,128}$"
