"""Entity normalisation: numbers, amounts and units, dates, language, names → codes.

Pure and deterministic: no I/O, nothing built from a world at import time. Callers build a
`Vocabulary` and a `Resolver` from the `World` once and pass them in.
"""
