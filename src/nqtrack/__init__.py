"""nqtrack: track how the tasks assigned by resolutions and documents are carried out."""

__version__ = "0.1.0"
