"""Email back-end: per send, the HTML (CSS inlined, links tagged), the text part and an
.eml a reviewer opens in any mail client; per spec, a README listing them, in the
repository's `[tool.campc] locale` (the emails themselves are the specs' words)."""

from __future__ import annotations

from collections import defaultdict

from compiler.backends.artifacts import Artifact, BuildContext
from compiler.email.render import Rendered, eml, rendered
from compiler.project.repository import Repository
from compiler.text import escape
from compiler.text.labels import _, labels


def build(repo: Repository, context: BuildContext) -> list[Artifact]:
    """`emails/<spec>/<send>.html|.txt|.eml` and `emails/<spec>/README.md`."""
    by_spec: dict[str, list[tuple[Rendered, bytes]]] = defaultdict(list)
    for email in rendered(repo):
        message = eml(repo, email, context.uid_domain, context.source_date_epoch)
        if email.problems or message is None:
            # EMAIL001 stops the build on a template problem, so this is our bug
            raise ValueError(f"{email.send.spec.path}: {email.send.key} did not render")
        by_spec[str(email.send.spec.doc.data["id"])].append((email, message))
    artifacts = []
    words = labels(repo.policy.locale)
    for spec_id, emails in sorted(by_spec.items()):
        lines = [
            words(_("# Emails of {spec}"), spec=escape.markdown_code(spec_id)),
            "",
            words(
                _(
                    "Each email as HTML (open it in a browser), plain text and a message file "
                    "(.eml, open it in any mail client). Links carry the UTM tags shown."
                )
            ),
            "",
            words(_("| email | subject | preheader | files |")),
            "|---|---|---|---|",
        ]
        for email, message in emails:
            key = email.send.key
            base = f"emails/{spec_id}/{key}"
            artifacts += [
                Artifact(f"{base}.html", email.html.encode("utf-8"), (spec_id,)),
                Artifact(f"{base}.txt", email.text.encode("utf-8"), (spec_id,)),
                Artifact(f"{base}.eml", message, (spec_id,)),
            ]
            files = words(
                _("[HTML]({html}) · [text]({text}) · [.eml]({eml})"),
                html=escape.markdown_url(f"{key}.html"),
                text=escape.markdown_url(f"{key}.txt"),
                eml=escape.markdown_url(f"{key}.eml"),
            )
            lines.append(
                f"| {escape.markdown_code(key)} | {escape.markdown(email.subject)} | "
                f"{escape.markdown(email.preheader or '')} | {files} |"
            )
        if emails:
            tags = ", ".join(
                escape.markdown_code(f"{k}={v}")
                for k, v in emails[0][0].send.utm.items()
                if k != "utm_content"
            )
            lines += [
                "",
                words(_("UTM tags: {tags}, and `utm_content` = the email's id."), tags=tags),
                "",
            ]
        artifacts.append(
            Artifact(f"emails/{spec_id}/README.md", "\n".join(lines).encode("utf-8"), (spec_id,))
        )
    return artifacts
