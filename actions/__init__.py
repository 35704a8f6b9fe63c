"""Rasa custom actions and form validators. Thin: they read the tracker, call `assistant`, return events."""
