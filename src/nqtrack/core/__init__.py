"""The pure domain core: no Typer, Rich or sqlite-utils here; `today` is always an argument."""
