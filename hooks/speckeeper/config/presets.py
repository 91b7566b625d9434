"""Presets: a Markdown process's whole layout in one line of configuration.

``preset = "kep"`` or ``preset = "madr"`` sets the keys below before the
file's own keys, which override them: a preset is configuration, the same
keys a repo could write itself (``speckeeper check --show-settings`` lists
them as the preset's).
"""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    # kubernetes/enhancements: keps/<sig>/<NNNN-slug>/README.md beside its
    # kep.yaml, kept to keps/NNNN-kep-template/README.md. Its questions
    # (###### under ###) are headings to keep; a KEP may add sections and
    # skips levels as the template does. Only the KEP READMEs are checked
    # (not the FAQs and notes beside them, nor a README.md elsewhere: the
    # repo's own, the test data of its tools under pkg/).
    "kep": {
        "markdown_template": "keps/NNNN-kep-template/README.md",
        "markdown_names": ("keps/*/README.md",),
        "template_depth": 3,
        "exclude": ("keps/NNNN-kep-template/**", "keps/README.md", "keps/prod-readiness/**"),
        "select": ("SK101", "SK102", "SK104", "SK105", "SK601", "SK602", "SK604", "SK7"),
        # Its metadata: kep.yaml beside the README, kept to the template's
        # own kep.yaml. What its CI requires (api/proposal.go); the stages
        # its code knows beyond the template's alpha|beta|stable; the
        # template values that are as often real (milestones, components).
        "metadata_file": "kep.yaml",
        "metadata_required": ("title", "kep-number", "authors", "owning-sig", "approvers", "status"),
        "metadata_values": (("stage", ("alpha", "beta", "stable", "deprecated", "disabled", "removed")),),
        "metadata_kept_examples": ("latest-milestone", "milestone", "feature-gates", "disable-supported", "metrics"),
        # A KEP past alpha has its production readiness approval, filed by
        # its owning SIG and number, with an approver for its stage; its CI
        # asks for one of an implementable or implemented KEP since v1.21
        # (pkg/kepval/approval.go). Its folder is named by its number.
        "companion_files": (
            (
                "/keps/prod-readiness/{owning-sig}/{kep-number}.yaml#{stage}",
                ("status=implementable|implemented", "stage>=beta", "latest-milestone>=v1.21"),
            ),
        ),
        "document_name": "{kep-number}-*/README.md",
        # Where `speckeeper new` starts one: its SIG's folder, named by its number.
        "markdown_layout": "keps/{owning-sig}/{kep-number}-{slug}/README.md",
        # Under a heading fix inserts: a KEP's headings are questions (a
        # production readiness one too), and "None" would answer them for
        # the author; "TBD" says the answer is still to write.
        "missing_section_text": "TBD",
    },
    # MADR: docs/decisions/NNNN-title-with-dashes.md, kept to MADR's
    # template copied beside them (adr-template.md); its optional sections
    # are marked by its own comment (a default of optional-markers).
    "madr": {
        "markdown_template": "docs/decisions/adr-template.md",
        "exclude": ("adr-template.md", "docs/decisions/README.md", "docs/decisions/index.md"),
        "select": ("SK101", "SK102", "SK104", "SK105", "SK6", "SK7"),
        "markdown_layout": "docs/decisions/{number}-{slug}.md",
        "missing_section_text": "TBD",  # As for a KEP: what a fix inserts is not an answer.
    },
}
