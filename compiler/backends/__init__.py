"""One back-end per artifact (`registry.py` lists them), the artifacts they return
(`artifacts.py`, light: checking imports it, never a back-end) and the manifest."""
