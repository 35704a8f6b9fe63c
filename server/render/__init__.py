"""Domain values → what a device gets: documents, drafts, turns, headset cards, routes and errors, each in the
reader's language from the one catalogue."""
