"""The registry of partners, their principals (systems and people), their roles and public keys."""
