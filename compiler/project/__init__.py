"""What a loaded project is: its files as read (with positions) and the repository the
rules and back-ends are handed. Data only: `load/` reads it."""
