"""Authentication by request-bound signed tokens, and role checks."""
