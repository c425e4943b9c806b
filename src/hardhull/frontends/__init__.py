"""Front ends: each claims inputs of one kind and produces documents for the engine."""
