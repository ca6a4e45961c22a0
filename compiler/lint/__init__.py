"""The lint engine: selection, suppression, severities, fixes."""
