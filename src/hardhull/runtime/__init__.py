"""Runtime detection (issue #12): Falco rules (:mod:`hardhull.falco`) run over Kubernetes audit
events and exported container events; alerts in Falco's format, rate-limited, delivered
(:mod:`hardhull.runtime.alerts`)."""
