"""The command line: click only."""
