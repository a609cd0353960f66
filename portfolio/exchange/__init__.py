"""Excel exchange with partner organisations: export, validated import, annotated errors."""
