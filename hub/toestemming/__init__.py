"""The consent register: per person, per item, recorded by the partner that obtained it, revocable."""
