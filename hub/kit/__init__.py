"""Helpers that know no domain. Nothing in `hub.kit` imports a domain package."""
