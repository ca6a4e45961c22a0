"""The project's settings (`[tool.campc]`) and lint policy."""
