"""Every human/JSON/Markdown/GitHub formatter in one place, and the one number formatter."""
