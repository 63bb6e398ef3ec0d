"""The convenant as data: its format (what privacy officers write in YAML) and its words for people."""
