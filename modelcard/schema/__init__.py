"""The card schema: Pydantic models (the single source of truth), shared types, the schema walker, JSON Schema export."""
