"""Built-in taxonomies, icons and the style sheet, shipped inside the wheel."""
