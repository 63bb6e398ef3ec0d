"""The verstrekkingenlog: a tamper-evident ledger of every disclosure, verifiable offline.

`merkle` and `note` are the verifier core: they need only the standard library and `cryptography`, so a DPIA
reviewer can run them (or reimplement them from docs/ledger.md) with nothing but the hub's public key.
"""
