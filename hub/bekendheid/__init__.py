"""The bekendheidscheck: partners register whom they know; at triage the ZVH asks, per casus, which partners at the
table know its persons, and learns only hit or no-hit."""
