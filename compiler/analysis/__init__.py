"""Pure computations shared by the rules and the back-ends."""
