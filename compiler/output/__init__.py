"""Artifacts, the manifest, and the writer of outputs/ and schemas/."""
