"""The convenant as code: the policy format, its validation, the compiled decision table, projection,
versions with four-eyes approval, emergency prohibitions, diff and simulation."""
