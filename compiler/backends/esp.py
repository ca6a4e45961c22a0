"""ESP back-end: per ESP in `[tool.campc.email] esp` and per send, the HTML and text
part in the ESP's own syntax (`email/esp.py`), a JSON of the subject, preheader, From and
Reply-To, and per spec a README saying how to bring them into the ESP, in the repository's
`[tool.campc] locale` (the templates and the JSON are the same in every locale)."""

from __future__ import annotations

import json
from collections import defaultdict

from compiler.backends.artifacts import Artifact, BuildContext
from compiler.email.esp import DIALECTS, Compiled, compiled
from compiler.project.repository import Repository
from compiler.text import escape
from compiler.text.labels import _, labels

IMPORT = {
    "customerio": _(
        "In Customer.io, open the message's email editor, choose *Code*, and paste the "
        "HTML; the plain-text part goes under *Plain text*. The Liquid tags are "
        "Customer.io's (`customer.` fields, `{{% unsubscribe_url %}}`)."
    ),
    "braze": _(
        "In Braze, create the email with the *HTML editor*, paste the HTML, and set the "
        "plain text under *Plain text*. The Liquid tags are Braze's (`${{first_name}}`, "
        "`custom_attribute.${{...}}`, `${{unsubscribe_url}}`)."
    ),
    "hubspot": _(
        "In HubSpot, create a coded email template (Design Manager, *Coded file*, type "
        "*Email*), paste the HTML, and pick it for the email. The HubL tags are HubSpot's "
        "(`contact.` properties, `unsubscribe_link`)."
    ),
    "mailchimp": _(
        "In Mailchimp, create a template with *Code your own* (*Paste in code*), paste the "
        "HTML, and paste the text part in the campaign's plain-text version. The merge tags "
        "are Mailchimp's (`*|FNAME|*`, `*|UNSUB|*`)."
    ),
    "klaviyo": _(
        "In Klaviyo, create a template with the HTML editor (*Templates*, *Create "
        "template*, *HTML*), paste the HTML, and set the plain-text version under *Plain "
        "text*. The tags are Klaviyo's (`first_name`, `person.` properties, "
        "`{{% unsubscribe_link %}}`, `{{% manage_preferences_link %}}`)."
    ),
    "brevo": _(
        "In Brevo, create the template with *Paste your code* (the HTML editor) and paste "
        "the HTML; the text version goes under the template's plain-text settings. The "
        "variables are Brevo's (`contact.` attributes, `{{{{ unsubscribe }}}}`, "
        "`{{{{ update_profile }}}}`)."
    ),
    "mautic": _(
        "In Mautic, create the email with the *Code Mode* builder, paste the HTML, and the "
        "text under *Plain text*. The tokens are Mautic's (`{{contactfield=...}}`, "
        "`{{unsubscribe_url}}`)."
    ),
}
"""How each ESP takes a coded template, from its help pages (messages: a brace of the ESP's
syntax is written twice)."""


def build(repo: Repository, context: BuildContext) -> list[Artifact]:
    """`esp/<esp>/<spec>/<send>.html|.txt|.json` and `esp/<esp>/<spec>/README.md`."""
    artifacts: list[Artifact] = []
    words = labels(repo.policy.locale)
    for name in repo.policy.email.esp:
        dialect = DIALECTS[name]
        by_spec: dict[str, list[tuple[str, Compiled, dict[str, str | None]]]] = defaultdict(list)
        for send, result in compiled(repo, name):
            if result.problems or not result.html:
                # EMAIL014 and EMAIL015 stop the build first, so this is our bug
                raise ValueError(f"{send.spec.path}: {send.key} did not compile for {name}")
            spec_id = str(send.spec.doc.data["id"])
            header = {
                "subject": result.subject,
                "preheader": result.preheader,
                "from": send.sender.from_ if send.sender else None,
                "reply_to": send.sender.reply_to if send.sender else None,
            }
            if send.variant is not None:  # one arm of an A/B test on the send
                weights = {v.id: v.weight for v in getattr(send.spec.model, "variants", [])}
                header |= {
                    "experiment": spec_id,
                    "variant": send.variant,
                    "weight": weights.get(send.variant),
                    "send": "/".join(send.base or ()),
                }
            by_spec[spec_id].append((send.key, result, header))
        for spec_id, sends in sorted(by_spec.items()):
            base = f"esp/{name}/{spec_id}"
            lines = [
                words(
                    _("# {esp} templates of {spec}"),
                    esp=escape.markdown(dialect.label),
                    spec=escape.markdown_code(spec_id),
                ),
                "",
                words(IMPORT[name]),
                "",
                words(_("Syntax: {docs}"), docs=dialect.docs),
                "",
                words(_("| email | subject | files |")),
                "|---|---|---|",
            ]
            for key, result, header in sends:
                document = {"esp": name, "email": key, **header}
                artifacts += [
                    Artifact(f"{base}/{key}.html", result.html.encode("utf-8"), (spec_id,)),
                    Artifact(f"{base}/{key}.txt", result.text.encode("utf-8"), (spec_id,)),
                    Artifact(
                        f"{base}/{key}.json",
                        (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode(),
                        (spec_id,),
                    ),
                ]
                files = " · ".join(
                    f"[{suffix}]({escape.markdown_url(f'{key}.{suffix}')})"
                    for suffix in ("html", "txt", "json")
                )
                lines.append(
                    f"| {escape.markdown_code(key)} | {escape.markdown_code(result.subject)} | "
                    f"{files} |"
                )
            lines.append("")
            artifacts.append(
                Artifact(f"{base}/README.md", "\n".join(lines).encode("utf-8"), (spec_id,))
            )
    return artifacts
