"""Pseudonyms and the identity vault: no plain identifiers at rest; identity only where the convenant allows it."""
