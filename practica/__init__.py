"""Practica: software for communities of practice."""
