"""One module per input format; each declares `ADAPTER` (see `formats.adapter.Adapter`) and the registry finds it."""
