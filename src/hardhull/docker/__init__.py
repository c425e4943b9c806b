"""Docker front ends: Dockerfiles (and, from the other modules here, compose files and the
engine's ``daemon.json``)."""
