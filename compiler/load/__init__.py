"""The only reader of the campaigns folder: YAML with positions, validation, the repository."""
