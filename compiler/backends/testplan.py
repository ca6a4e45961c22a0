"""Test-plan back-end: `test-plans/<id>.md`, a pre-registration an analyst signs off, in
the repository's language (`[tool.campc] locale`, `text.labels`). The experiment's unit
(`visitor`, `contact`...) is its spec's word, kept as written; English agrees it with
its count (`1 eligible visitor`, `900 eligible visitors`), the translations say it in
sentences that need not inflect it."""

from __future__ import annotations

import math
from decimal import Decimal

from compiler.analysis import sequential
from compiler.analysis.experiments import ExperimentPlan, list_size, metric_design
from compiler.analysis.experiments import planned as planned_for
from compiler.analysis.power import method_description
from compiler.analysis.stats import Design, chi2_critical, corrected_alpha, minimum_effect
from compiler.backends.artifacts import Artifact, BuildContext
from compiler.model.experiment import Experiment, PrimaryMetric
from compiler.project.repository import Repository, SpecFile
from compiler.text import escape, prose
from compiler.text.labels import Labels, _, labels

SRM_ALPHA = 0.001
"""The default of `[tool.campc.experiments] srm-alpha`."""

_code = escape.markdown_code
_text = escape.markdown

_WINS = {
    "increase": _("a win is an increase"),
    "decrease": _("a win is a decrease"),
    "any": _("a win is a any"),
}
"""What counts as a win, by the primary metric's direction (English as it has always read,
`a any` too)."""

_GUARDRAILS = {
    "increase": _("{metric}: {threshold} (bad direction: increase)"),
    "decrease": _("{metric}: {threshold} (bad direction: decrease)"),
    None: _("{metric}: {threshold} (bad direction: unknown)"),
}
"""A guardrail's line, by the direction in which it degrades (None: neither it nor the
registry says)."""

_CHECKLIST = (
    _("Every variant renders on the surface, on desktop and mobile"),
    _("Assignment is by {unit} and sticky across sessions"),
    _("Exposure is logged once per unit, with the variant id, before the metric events"),
    _("The primary metric and guardrails are computed per variant in the dashboard"),
    _("An A/A day (or the first day) shows no sample-ratio mismatch"),
    _("At the readout, the sample-ratio check passes before any metric is looked at"),
    _("The plan's start date, split and audience match the experiment tool's settings"),
)


_SEND_CHECKLIST = (
    _("Every variant renders in the email clients the list reads, on desktop and mobile"),
    _(
        "The split is drawn at random from the whole list before the send (not by signup "
        "date or list order)"
    ),
    _(
        "Each recipient receives one variant only (the ESP's A/B test, or segments that "
        "do not overlap)"
    ),
    _("The primary metric and guardrails are computed per variant in the ESP's report"),
    _("At the readout, the sample-ratio check passes before any metric is looked at"),
    _("The plan's send date, split and audience match the ESP's settings"),
)
"""The checklist of an experiment on one send (a list split once, not traffic)."""


def build(repo: Repository, context: BuildContext) -> list[Artifact]:
    """One Markdown plan per experiment."""
    artifacts = []
    for spec in repo.specs:
        if isinstance(spec.model, Experiment):
            text = document(repo, spec, spec.model)
            artifacts.append(
                Artifact(f"test-plans/{spec.model.id}.md", text.encode("utf-8"), (spec.model.id,))
            )
    return artifacts


def srm_critical_value(degrees: int, alpha: float = SRM_ALPHA) -> float:
    """The chi-square value above which the SRM test's p-value is below `alpha`."""
    return chi2_critical(alpha, degrees)


def unit_word(words: Labels, count: int, unit: str) -> str:
    """The experiment's unit after `count` of them: in English agreeing with the number
    (`visitor`, `visitors`, as `prose.count`); in a translation the spec's word as written."""
    return prose.plural(unit) if words.locale == "en" and count != 1 else unit


def two_places(words: Labels, value: float) -> str:
    """`10.83` (en), `10,83` (fr, de): `value` to two decimals, unseparated (`:.2f`)."""
    from babel.numbers import format_decimal

    return str(format_decimal(Decimal(f"{value:.2f}"), format="0.00", locale=words.locale))


def _mde_by_week(design: Design, daily: float, words: Labels) -> list[str]:
    rows = [
        words(
            _("| after week | units per arm (control) | detectable effect (absolute) | relative |")
        )
    ]
    rows.append("|---:|---:|---:|---:|")
    control_share = design.weights[0]
    for week in range(1, 9):
        units = daily * 7 * week * control_share
        effect = minimum_effect(design, units) if units >= 2 else math.inf
        relative = effect / design.baseline if design.baseline else math.inf
        shown = words(_("not detectable")) if math.isinf(effect) else words.significant(effect)
        rel = "-" if math.isinf(effect) else words.share(relative, column=True)
        rows.append(f"| {week} | {words.number(round(units))} | {shown} | {rel} |")
    return rows


def document(repo: Repository, spec: SpecFile, experiment: Experiment) -> str:
    """The pre-registration document of one experiment."""
    words = labels(repo.policy.locale)
    metrics = repo.conventions.metrics
    planned = planned_for(repo, experiment, list_size(repo, experiment))
    audience = repo.audience(experiment.audience or "")
    source = repo.display(repo.root / spec.rel)
    unit = experiment.unit
    lines = [
        words(_("# Test plan: {name}"), name=_text(experiment.name)),
        "",
        words(
            _("Generated by `campc build` from {source}; do not edit. Owner: {owner}."),
            source=_code(source),
            owner=_text(experiment.owner),
        ),
        words(
            _("Sign-off: the analyst approves this plan in the pull request before the start date.")
        ),
        "",
        words(_("## Context and hypothesis")),
        "",
        _text(experiment.description or "") or words(_("(no description)")),
        "",
        f"> {_text(experiment.hypothesis)}",
        "",
        words(_("## Randomization and targeting")),
        "",
        "- "
        + words(_("Unit: **{unit}** (each {unit} sees one variant for the whole test)"), unit=unit),
        "- " + words(_("Surface: {surface}"), surface=_code(experiment.surface)),
    ]
    if audience is not None:
        markets = _text(", ".join(m.country for m in audience.markets))
        description = _text(audience.description or "")
        shown = (
            _("Audience: {audience} ({markets}): {description}")
            if markets and description
            else _("Audience: {audience} ({markets})")
            if markets
            else _("Audience: {audience}: {description}")
            if description
            else _("Audience: {audience}")
        )
        lines.append(
            "- "
            + words(shown, audience=_code(audience.id), markets=markets, description=description)
        )
    else:
        lines.append("- " + words(_("Audience: everyone reaching the surface")))
    lines.append("- " + _units_line(experiment, planned, words))
    lines += [
        "",
        words(_("## Variants and split")),
        "",
        words(_("| variant | name | weight | change |")),
        "|---|---|---:|---|",
    ]
    for index, variant in enumerate(experiment.variants):
        shown = _code(variant.id)
        if index == 0 and variant.id != "control":
            shown = words(_("{variant} (control)"), variant=shown)
        lines.append(
            f"| {shown} | {_text(variant.name)} | {words.share(variant.weight)} | "
            f"{_text(variant.description or '')} |"
        )
    if experiment.batch:
        lines.append("")
    else:
        lines += ["", words(_("Ramp: none declared; the split applies from the first day.")), ""]
    lines += [words(_("## Metrics")), ""]
    lines += _metric_lines(repo, experiment, experiment.primary_metric, words, co_primary=False)
    for other in experiment.co_primary_metrics:
        lines += _metric_lines(repo, experiment, other, words, co_primary=True)
    if experiment.guardrails:
        lines.append("- " + words(_("Guardrails (must not degrade by more than):")))
        for guardrail in experiment.guardrails:
            registered = metrics.resolve(guardrail.metric)
            bad = guardrail.direction or (
                {"increase": "decrease", "decrease": "increase"}.get(registered.direction or "")
                if registered
                else None
            )
            lines.append(
                "  - "
                + words(
                    _GUARDRAILS[bad],
                    metric=_code(guardrail.metric),
                    threshold=words.share(float(guardrail.limit)),
                )
            )
            if guardrail.margin is not None and guardrail.baseline is not None:
                need = next(
                    (n for n in (planned.needs if planned else ()) if n.metric == guardrail.metric),
                    None,
                )
                lines.append(
                    "    - "
                    + words(
                        _(
                            "non-inferiority: a one-sided test at alpha {alpha} that the "
                            "treatment is not worse by {margin} of the baseline {baseline} "
                            "(not in the alpha family; needs {per_arm} per arm)"
                        ),
                        alpha=words.number(experiment.alpha),
                        margin=words.share(float(guardrail.margin)),
                        baseline=words.number(guardrail.baseline),
                        per_arm=words.number(need.per_arm[0]) if need else "-",
                    )
                )
    else:
        lines.append("- " + words(_("Guardrails: none declared")))
    lines += ["", words(_("## Design")), ""]
    lines += _design_lines(experiment, planned, words)
    lines += _schedule_lines(experiment, planned, words)
    lines += _rules_lines(repo, experiment, planned, words)
    lines += _amendment_lines(experiment, words)
    return "\n".join(lines) + "\n"


def _units_line(experiment: Experiment, planned: ExperimentPlan | None, words: Labels) -> str:
    """Who is in the test: traffic a day, or a send's list."""
    unit = experiment.unit
    if experiment.traffic is not None:
        traffic = experiment.traffic
        return words(
            _("Traffic: {count} eligible {unit} a day, {share} of them enrolled"),
            count=words.number(traffic.daily),
            unit=unit_word(words, traffic.daily, unit),
            share=words.share(traffic.share),
        )
    share = experiment.population.share if experiment.population else 1.0
    if planned is None or planned.batch is None:
        return words(
            _("Units: the recipients of one send, {share} of its list (size unknown)"),
            share=words.share(share),
        )
    return words(
        _(
            "Units: the recipients of one send: {enrolled} of the list's {population} "
            "({share}), split by the weights; no traffic a day"
        ),
        enrolled=words.number(planned.batch.enrolled),
        population=words.number(planned.batch.population),
        share=words.share(share),
    )


def _metric_lines(
    repo: Repository,
    experiment: Experiment,
    metric: PrimaryMetric,
    words: Labels,
    co_primary: bool,
) -> list[str]:
    """A primary (or co-primary) metric: its definition, baseline, what a win is, and what
    the design assumes of its variance."""
    registered = repo.conventions.metrics.resolve(metric.metric)
    definition = (
        _text(registered.definition) if registered else words(_("(not in the metric registry)"))
    )
    ratio = ""
    if registered and registered.numerator and registered.denominator:
        ratio = f" ({_text(registered.numerator)} / {_text(registered.denominator)})"
    heading = (
        _("Co-primary: **{metric}**: {definition}{ratio}")
        if co_primary
        else _("Primary: **{metric}**: {definition}{ratio}")
    )
    lines = ["- " + words(heading, metric=_code(metric.metric), definition=definition, ratio=ratio)]
    source = _text(metric.source or "") or words(_("not stated"))
    if metric.type == "ratio":
        assert metric.numerator is not None
        assert metric.denominator is not None
        chosen = metric_design(experiment, metric, cuped=False)
        lines.append(
            "  - "
            + words(
                _(
                    "a ratio of per-unit sums: numerator mean {num_mean} (standard deviation "
                    "{num_sd}), denominator mean {den_mean} (standard deviation {den_sd}), "
                    "correlation {correlation}; by the delta method, baseline {baseline} and "
                    "standard deviation {std_dev} per unit; source: {source}"
                ),
                num_mean=words.number(metric.numerator.mean),
                num_sd=words.number(metric.numerator.std_dev),
                den_mean=words.number(metric.denominator.mean),
                den_sd=words.number(metric.denominator.std_dev),
                correlation=words.number(metric.correlation or 0),
                baseline=words.significant(chosen.baseline),
                std_dev=words.significant(chosen.std_dev or 0.0),
                source=source,
            )
        )
    else:
        baseline = (
            _("baseline {baseline}, standard deviation {std_dev}; source: {source}")
            if metric.std_dev
            else _("baseline {baseline}; source: {source}")
        )
        lines.append(
            "  - "
            + words(
                baseline,
                baseline=words.number(metric.baseline or 0),
                std_dev=words.number(metric.std_dev) if metric.std_dev else "",
                source=source,
            )
        )
    lines.append("  - " + words(_WINS[metric.direction]))
    if metric.cuped is not None:
        lines.append(
            "  - "
            + words(
                _(
                    "CUPED on {covariate}: correlation {correlation}, so the variance planned "
                    "is {factor} of the raw metric's"
                ),
                covariate=_text(metric.cuped.covariate),
                correlation=words.number(metric.cuped.correlation),
                factor=words.share(1 - metric.cuped.correlation**2),
            )
        )
    if metric.heavy_tailed:
        lines.append(
            "  - "
            + words(
                _(
                    "heavy-tailed: winsorise it (cap each unit at the 99th percentile of the "
                    "pooled data, fixed before the readout), or a few large values decide the "
                    "test and the variance planned here understates it"
                )
            )
        )
    return lines


def _correction(experiment: Experiment, words: Labels) -> str:
    """The multiple-comparison correction in words: the family and each comparison's level."""
    arms = len(experiment.variants) - 1
    metrics = len(experiment.primary_metrics)
    comparisons = arms * metrics
    if comparisons == 1:
        return words(_("none needed (one comparison)"))
    if experiment.correction == "none":
        return words(
            _("not applied: each of the {comparisons} comparisons is tested at alpha {alpha}"),
            comparisons=comparisons,
            alpha=words.number(experiment.alpha),
        )
    level = words.significant(corrected_alpha(experiment.alpha, comparisons, experiment.correction))
    if metrics == 1 and experiment.correction == "bonferroni":
        return words(
            _("Bonferroni over {comparisons} comparisons (alpha {alpha} each)"),
            comparisons=comparisons,
            alpha=level,
        )
    family = (
        words(_("{comparisons} comparisons"), comparisons=comparisons)
        if metrics == 1
        else words(
            _("{comparisons} comparisons ({arms} treatment arms times {metrics} primary metrics)"),
            comparisons=comparisons,
            arms=arms,
            metrics=metrics,
        )
    )
    message = {
        "bonferroni": _("Bonferroni over {family}: alpha {alpha} each"),
        "holm": _(
            "Holm over {family}: planned at its strictest step, alpha {alpha}, so the power "
            "planned is a floor"
        ),
        "sidak": _("Šidák over {family}: alpha {alpha} each"),
    }[experiment.correction]
    return words(message, family=family, alpha=level)


def _design_lines(
    experiment: Experiment, planned: ExperimentPlan | None, words: Labels
) -> list[str]:
    primary = experiment.primary_metric
    method = "continuous" if primary.type in ("continuous", "ratio") else experiment.method
    if primary.mde_type == "relative":
        base = metric_design(experiment, primary).baseline
        mde = words(
            _("{mde} of the baseline (relative), {absolute} absolute"),
            mde=words.share(float(primary.mde)),
            absolute=words.significant(float(base * float(primary.mde))),
        )
    else:
        mde = words(_("{mde} (absolute)"), mde=words.number(primary.mde))
    sided = (
        _("Alpha {alpha}, power {power}, two-sided")
        if experiment.sides == 2
        else _("Alpha {alpha}, power {power}, one-sided")
    )
    lines = [
        "- " + words(_("MDE: {mde}"), mde=mde),
        "- "
        + words(sided, alpha=words.number(experiment.alpha), power=words.number(experiment.power)),
        "- " + words(_("Correction: {correction}"), correction=_correction(experiment, words)),
        "- " + words(_("Method: {method}"), method=method_description(method, words)),
    ]
    if any(g.margin for g in experiment.guardrails):
        lines.append(
            "- "
            + words(
                _(
                    "Guardrails with a margin are not in the alpha family: each is a "
                    "one-sided non-inferiority test at alpha {alpha}, planned on its own"
                ),
                alpha=words.number(experiment.alpha),
            )
        )
    if planned is None:
        return [
            *lines,
            "",
            words(_("**No sample size can be computed from this design** (see `campc check`).")),
            "",
        ]
    per_arm = ", ".join(
        f"{_code(v.id)} {words.number(n)}"
        for v, n in zip(experiment.variants, planned.per_arm, strict=True)
    )
    if planned.batch is not None:
        batch = planned.batch
        detects = (
            words(_("no effect at all"))
            if math.isinf(batch.mde)
            else words(
                _("{absolute} absolute ({relative} relative)"),
                absolute=words.significant(batch.mde),
                relative=words.share(batch.mde / planned.design.baseline, 1)
                if planned.design.baseline
                else "-",
            )
        )
        lines += [
            "- "
            + words(
                _("The list: {per_arm}; **{total} in total**"),
                per_arm=per_arm,
                total=words.number(planned.total),
            ),
            "- "
            + words(
                _(
                    "Power for the MDE with this list: **{power}**; at power {target} it "
                    "detects {mde}"
                ),
                power=words.number(round(batch.power, 3)),
                target=words.number(experiment.power),
                mde=detects,
            ),
        ]
    else:
        sample = words(
            _("Sample size: {per_arm}; **{total} in total**"),
            per_arm=per_arm,
            total=words.number(planned.total),
        )
        lines.append("- " + sample)
    if len(planned.needs) > 1 and planned.decides is not None:
        needs = ", ".join(
            words(
                _("{metric} ({role}) {per_arm}"),
                metric=_code(n.metric),
                role=words(_("primary")) if n.role == "primary" else words(_("guardrail")),
                per_arm=words.number(n.per_arm[0]),
            )
            for n in planned.needs
        )
        lines.append(
            "- "
            + words(
                _("Each test's need per arm (control): {needs}; the plan follows {decides}"),
                needs=needs,
                decides=_code(planned.decides.metric),
            )
        )
    if planned.sequential is not None:
        lines.append(
            "- "
            + words(
                _(
                    "Group-sequential: {looks} looks, {spending}; the maximum sample is "
                    "{inflation} times the fixed design's"
                ),
                looks=planned.sequential.looks,
                spending=words(sequential.SPENDING_NAMES[planned.sequential.spending]),
                inflation=words.significant(planned.sequential.inflation, 4),
            )
        )
    if planned.saved_by_cuped:
        lines.append(
            "- "
            + words(
                _("CUPED saves {units} units over the same plan without it"),
                units=words.number(planned.saved_by_cuped),
            )
        )
    lines.append("")
    return lines


def _schedule_lines(
    experiment: Experiment, planned: ExperimentPlan | None, words: Labels
) -> list[str]:
    if planned is None:
        return []
    if planned.batch is not None:
        return [
            words(_("## Send and readout")),
            "",
            "- "
            + words(
                _(
                    "Sent on {start}, the metric measured until {end}, readout {readout}; a "
                    "send has no traffic a day, so no weekly table"
                ),
                start=planned.start.isoformat(),
                end=planned.end.isoformat(),
                readout=planned.readout.isoformat(),
            ),
            "",
        ]
    run = (
        words(
            _("run for **{weeks}** to cover weekly cycles"),
            weeks=words.count(planned.weeks, _("{n} whole week"), _("{n} whole weeks")),
        )
        if experiment.whole_weeks
        else words(
            _("run for **{days}**"), days=words.count(planned.run_days, _("{n} day"), _("{n} days"))
        )
    )
    daily = round(planned.daily_units)
    lines = [
        words(_("## Duration and dates")),
        "",
        "- "
        + words(
            _("{days} of traffic at {count} {unit} a day, {run}"),
            days=words.count(planned.days, _("{n} day"), _("{n} days")),
            count=words.number(daily),
            unit=unit_word(words, daily, experiment.unit),
            run=run,
        ),
        "- "
        + words(
            _("Start {start}, planned end {end}, readout {readout}"),
            start=planned.start.isoformat(),
            end=planned.end.isoformat(),
            readout=planned.readout.isoformat(),
        ),
    ]
    if not experiment.whole_weeks and experiment.whole_weeks_reason:
        lines.append(
            "- "
            + words(_("Not whole weeks: {reason}"), reason=_text(experiment.whole_weeks_reason))
        )
    if experiment.max_duration is not None:
        lines.append(
            "- "
            + words(
                _("Longest acceptable run: {duration}"),
                duration=words.duration(experiment.max_duration),
            )
        )
    if planned.looks:
        lines += ["", words(_("### Looks")), ""]
        lines.append(
            words(
                _("Boundaries on |z|, alpha split equally between the two sides:")
                if experiment.sides == 2
                else _("Boundaries on z, one-sided:")
            )
        )
        lines += [
            "",
            words(
                _(
                    "| look | date | information | units per arm (control) | z boundary "
                    "| nominal p |"
                )
            ),
            "|---:|---|---:|---:|---:|---:|",
        ]
        for look in planned.looks:
            lines.append(
                f"| {look.number} | {look.day.isoformat()} | "
                f"{words.share(look.fraction, 1, column=True)} | "
                f"{words.number(look.per_arm[0])} | {two_places(words, look.z)} | "
                f"{words.significant(look.nominal_p, 3)} |"
            )
    lines += ["", words(_("### What each week can detect")), ""]
    lines += _mde_by_week(planned.design, planned.daily_units, words)
    lines.append("")
    return lines


def _rules_lines(
    repo: Repository, experiment: Experiment, planned: ExperimentPlan | None, words: Labels
) -> list[str]:
    lines = [words(_("## Stopping rule")), ""]
    if planned is not None and planned.batch is not None:
        lines.append(
            words(
                _(
                    "One send, analysed once at the readout: nothing to stop, and no result "
                    "read before the measurement window ends."
                )
            )
        )
    elif planned is not None and planned.sequential is not None:
        lines.append(
            words(
                _(
                    "Group-sequential: analyse at each look above, and stop for efficacy when "
                    "the primary metric's z reaches that look's boundary; otherwise run to the "
                    "planned end. No other interim result stops the test, except a guardrail "
                    "breach or a sample-ratio mismatch."
                )
            )
        )
    elif experiment.sequential:
        lines.append(
            words(
                _(
                    "Sequential design requested: interim looks must use an alpha-spending or "
                    "always-valid method agreed before the start; the fixed-horizon sample "
                    "above is the maximum."
                )
            )
        )
    else:
        lines.append(
            words(
                _(
                    "Fixed horizon: the test runs to the planned end and is analysed once. No "
                    "peeking: interim results are not used to stop early, except for a "
                    "guardrail breach or a sample-ratio mismatch."
                )
            )
        )
    lines += ["", words(_("## Sample-ratio-mismatch check")), ""]
    degrees = len(experiment.variants) - 1
    srm_alpha = repo.policy.experiments.srm_alpha
    critical = srm_critical_value(degrees, srm_alpha)
    lines.append(
        words(
            _(
                "A chi-square goodness-of-fit test of the units per variant against the split, "
                "{degrees}; alert when p < {alpha} (chi-square above {critical}) and stop the "
                "analysis until the cause is found."
            ),
            degrees=words.count(degrees, _("{n} degree of freedom"), _("{n} degrees of freedom")),
            alpha=words.number(srm_alpha),
            critical=two_places(words, critical),
        )
    )
    if planned is not None:
        enrolled = (
            planned.total if planned.batch is not None else planned.daily_units * planned.run_days
        )
        lines += ["", words(_("| variant | expected units at the planned end |")), "|---|---:|"]
        for variant in experiment.variants:
            expected = words.number(round(enrolled * variant.weight))
            lines.append(f"| {_code(variant.id)} | {expected} |")
    comparisons = (len(experiment.variants) - 1) * len(experiment.primary_metrics)
    alpha = corrected_alpha(experiment.alpha, comparisons, experiment.correction)
    decision = _(
        "Ship a treatment only if its primary metric moves in the winning direction "
        "with p < {alpha} against the control and no guardrail degrades beyond its "
        "threshold. Otherwise keep the control. Report the effect with its confidence "
        "interval either way."
    )
    if experiment.correction == "holm" and comparisons > 1:
        decision = _(
            "Ship a treatment only if its primary metric moves in the winning direction, "
            "tested by Holm's step-down rule over the {comparisons} comparisons (their "
            "p-values from the smallest up against {levels} in turn, stopping at the first "
            "that fails), and no guardrail degrades beyond its threshold. Otherwise keep the "
            "control. Report the effect with its confidence interval either way."
        )
    elif planned is not None and planned.sequential is not None:
        decision = _(
            "Ship a treatment only if its primary metric crosses a look's efficacy boundary "
            "in the winning direction (the final look's p-value is below {alpha} per side) "
            "and no guardrail degrades beyond its threshold. Otherwise keep the control. "
            "Report the effect with its confidence interval either way."
        )
    lines += [
        "",
        words(_("## Decision rule")),
        "",
        words(
            decision,
            alpha=words.significant(
                planned.sequential.nominal[-1]
                if planned is not None and planned.sequential is not None
                else alpha
            ),
            comparisons=comparisons,
            levels=words.listing(
                [
                    words.significant(experiment.alpha / (comparisons - k))
                    for k in range(comparisons)
                ]
            ),
        ),
        "",
        words(_("## QA checklist")),
        "",
        *(
            "- [ ] " + words(item, unit=experiment.unit)
            for item in (_SEND_CHECKLIST if experiment.batch else _CHECKLIST)
        ),
        "",
    ]
    return lines


def _amendment_lines(experiment: Experiment, words: Labels) -> list[str]:
    """Every amendment to the registered design, in date order."""
    if not experiment.amendments:
        return []
    lines = [words(_("## Amendments")), ""]
    for amendment in sorted(experiment.amendments, key=lambda a: a.date):
        lines.append(
            "- "
            + words(
                _("{date}: {fields}, approved by {approver}: {reason}"),
                date=amendment.date.isoformat(),
                fields=", ".join(_code(f) for f in amendment.fields),
                approver=_text(amendment.approver),
                reason=_text(amendment.reason),
            )
        )
    lines.append("")
    return lines
