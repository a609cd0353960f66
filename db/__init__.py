"""Data layer: ORM models, engine and sessions. Depends on nothing else in the project."""
