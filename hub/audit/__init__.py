"""The admin audit trail: who changed partners, principals, roles and keys, and when.

Separate from the operational logs (which may be rotated away) and from the verstrekkingenlog (disclosures).
"""
