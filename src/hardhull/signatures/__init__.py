"""Image signatures and attestations in registries, cosign's way (issue #11): where they are
stored (:mod:`hardhull.signatures.storage`) and the sign / verify / attest flows over an
image reference (:mod:`hardhull.signatures.flows`), built on :mod:`hardhull.oci` (the
registry client) and :mod:`hardhull.sign` (keys, payloads, envelopes, bundles). The CLI
(``hardhull sign|verify|attest|verify-attestation``) and the admission webhook's image
verification call the flows."""
