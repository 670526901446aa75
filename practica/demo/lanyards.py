"""Demo lanyards at writing: the seeders write posts, revisions and comments with dates in
the past, so their lanyards are dated from each author's stage history afterwards."""

from practica.communities.lanyards import fill_all_written_lanyards


def seed() -> str:
    filled = fill_all_written_lanyards()
    return f"{filled} lanyards dated from stage histories" if filled else "nothing to date"
