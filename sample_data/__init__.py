"""The sample project's inputs, shipped inside the wheel so `annotator demo` works from an install."""
