"""Read queries of the integration concept, scoped to what a user may see."""
