"""Custom Rasa graph components of the Frontline NLU project (imported by Rasa, cwd = build dir)."""
