"""Evidence pages, one module per feature."""
