"""One way to write rules: a family fixes what its rules share (category, default references,
benchmark prefixes) so that each rule states only what is its own."""

from __future__ import annotations

from dataclasses import dataclass

from hardhull import registry
from hardhull.model import Rule, Severity

HADOLINT_WIKI = "https://github.com/hadolint/hadolint/wiki/"


@dataclass(frozen=True)
class RuleFamily:
    """Builds the :class:`~hardhull.model.Rule` values of one domain.

    ``refs`` are a rule's references unless it names its own; ``base_refs`` come first in
    every rule's references either way. ``cis_prefix`` / ``nsa_prefix`` are put before a
    rule's own ``cis`` / ``nsa`` text when it has one; ``nsa_default`` stands when it has none;
    ``pss_ref`` is added to the references of rules that name a Pod Security Standards
    control, and hadolint's wiki page to those that name a hadolint rule. With ``register``
    the rule is also entered in the registry (for families whose checks have their own list).
    """

    category: str
    refs: tuple[str, ...] = ()
    cis_prefix: str = ""
    nsa_prefix: str = ""
    nsa_default: str = ""
    pss_ref: str = ""
    base_refs: tuple[str, ...] = ()
    register: bool = False

    def __call__(
        self,
        code: str,
        slug: str,
        title: str,
        severity: Severity,
        what: str,
        why: str,
        fix: str,
        example: str,
        *,
        pss: str = "",
        cis: str = "",
        nsa: str = "",
        trivy: tuple[str, ...] = (),
        checkov: tuple[str, ...] = (),
        kube_linter: tuple[str, ...] = (),
        hadolint: tuple[str, ...] = (),
        refs: tuple[str, ...] | None = None,
        category: str | None = None,
        reports_secrets: bool = False,
    ) -> Rule:
        references = self.base_refs + tuple(self.refs if refs is None else refs)
        if pss and self.pss_ref:
            references += (self.pss_ref,)
        references += tuple(f"{HADOLINT_WIKI}{h}" for h in hadolint)
        rule = Rule(
            code=code,
            slug=slug,
            title=title,
            severity=severity,
            category=category or self.category,
            what=what,
            why=why,
            fix=fix,
            example=example.strip("\n"),
            references=references,
            pss=pss,
            cis=(self.cis_prefix + cis) if cis else "",
            nsa=(self.nsa_prefix + nsa) if nsa else self.nsa_default,
            trivy=trivy,
            checkov=checkov,
            kube_linter=kube_linter,
            hadolint=hadolint,
            family=self.category,
            reports_secrets=reports_secrets,
        )
        if self.register:
            registry.register(rule)
        return rule
