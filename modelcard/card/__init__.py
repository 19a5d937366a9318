"""A card document's way in: load -> layer (--with/--set) -> validate -> checks."""
