"""Cycle definitions: YAML data, their schema and loader."""
