"""hardhull: harden containers and Kubernetes with one rule set, from CI to admission."""

__version__ = "0.1.0"
