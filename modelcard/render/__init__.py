"""Rendering: view model, sandboxed template environment, charts, PDF, batch."""
