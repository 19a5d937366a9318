"""Writing cards by hand: the schema-generated skeleton and the interactive wizard."""
