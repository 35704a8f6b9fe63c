"""Generated dev sets: large, varied inputs built from the world, on which accuracy is measured and decoding
choices are compared. Nobody tunes to them, and they never copy the shared fixtures (tests/fixtures), which stay a
last check."""
