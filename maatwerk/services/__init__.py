"""services layer (see README.md, "Where things are")."""
