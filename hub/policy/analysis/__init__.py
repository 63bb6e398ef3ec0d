"""Analysis of a convenant: validation, the difference between versions, simulation, and the Cedar cross-check."""
