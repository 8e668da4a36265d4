"""plugins layer (see DESIGN.md)."""
