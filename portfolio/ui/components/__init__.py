"""Reusable dashboard pieces: functions ``show(..., key=...) -> value``."""
