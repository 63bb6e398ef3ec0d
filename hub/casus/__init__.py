"""The ZVH's process, as thin as the hub can keep it: a casus with its type, stage, participants, persons (by the
vault's id, never by name) and meldingen; references and history only, never case content."""
