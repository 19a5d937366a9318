"""A card document's way in: load -> layer (fragments, KEY=VALUE) -> validate -> checks.

:func:`modelcard.card.validate.load_validated` is the one step every command and API uses.
"""
