"""Pod Security Standards: levels, versions and the upstream controls."""
