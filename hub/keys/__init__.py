"""The hub's own signing keys, their rotation, and their publication as a JWKS."""
