"""How campc writes text: one escaper per medium, and generated prose."""
