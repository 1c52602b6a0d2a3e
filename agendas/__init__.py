"""The domain of Udvalgsbot: entities, rules, services and document rendering. No I/O frameworks."""
