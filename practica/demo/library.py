"""Demo data for the library capability (filled in as the capability lands)."""


def seed() -> str:
    return "nothing to add yet"
