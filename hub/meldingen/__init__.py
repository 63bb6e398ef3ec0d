"""Meldingen: submission, validation against the berichttype, routing, decisions, pseudonyms, one transaction."""
