"""Receivers connected in CommunitiesConfig.ready()."""

from practica.communities.progression import ensure_default_rules


def create_default_rules(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """Every new community starts with the default progression rules."""
    if created and not raw:
        ensure_default_rules(instance)
