"""Read queries of the surveys, scoped to what a user may see."""
