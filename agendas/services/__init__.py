"""Use cases. Each takes plain values and a unit of work, checks the rules, and commits."""
