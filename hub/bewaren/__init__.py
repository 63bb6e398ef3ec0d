"""Retention, enforced: what the hub holds about people goes when the terms of the disclosures, casussen and bekend
signals it was held for have ended, and every erasure is on the verstrekkingenlog."""
