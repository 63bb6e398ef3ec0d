"""The engine: a compiled convenant deciding per recipient, what each recipient may see, and why. No database."""
