"""The use cases: one module per area of the register.

Each use case takes plain values and a `Context` (the store, the business day, the
moment of recording, who records), opens the one transaction it needs, applies the
rules of `nqtrack.core` in their order, calls the store, and returns plain data for a
renderer. Nothing here parses a command line or draws a table.
"""
