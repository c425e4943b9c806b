"""Reading container images without a container engine: transports (docker-archive, OCI
layout, OCI archive, registries), manifests and platform selection, and layers streamed as
tar members with the limits that untrusted input needs. No rule here: the image checks
(``rules/image``) and the SBOM catalogers read what this package yields.

The shared vocabulary is in :mod:`hardhull.oci.model`.
"""
