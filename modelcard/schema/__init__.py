"""The card schema: Pydantic models (the single source of truth), shared types, the verdict rule, the schema walker, JSON Schema export."""
