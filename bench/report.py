"""The bench's Markdown report: one row per approach and step, then baseline/toolkit ratios.

Pure functions over the measured results (dicts as bench/run.py writes them to JSON), so the
report can be rebuilt from a results file and unit-tested without a stand-in.
"""

from approaches import BASELINES, STEP_LABELS, STEPS

HEADER = (
    "| users | approach | step | LMS starts | starts by command | HTTP round trips | changed tasks "
    "| users / clients on the LMS after | wall time |",
    "|---|---|---|---|---|---|---|---|---|",
)
COMPARED = ("first", "rerun")


def by_command(counts):
    return ", ".join("%s %d" % (name, counts[name]) for name in sorted(counts)) or "none"


def changed(value):
    return "not reported" if value is None else str(value)


def rows(results):
    lines = []
    for result in results:
        for step in STEPS:
            data = result["steps"].get(step)
            if data is None:
                continue
            lines.append("| %d | %s | %s | %d | %s | %d | %s | %d / %d | %.1f s |" % (
                result["users"], result["label"], STEP_LABELS[step], data["starts"], by_command(data["by_command"]),
                data["round_trips"], changed(data["changed"]), data["users"], data["clients"], data["seconds"]))
    return lines


def ratio(numerator, denominator):
    return "%.1fx" % (numerator / denominator) if denominator else "n/a (toolkit: 0)"


def ratios(results):
    """For each user count and baseline: its starts and wall time against the toolkit's (the role)."""
    found = {(result["approach"], result["users"]): result for result in results}
    lines = []
    for users in sorted({result["users"] for result in results}):
        toolkit = found.get(("toolkit", users))
        if toolkit is None:
            continue
        for baseline in BASELINES:
            base = found.get((baseline, users))
            if base is None:
                continue
            for step in COMPARED:
                tool, other = toolkit["steps"].get(step), base["steps"].get(step)
                if not (tool and other):
                    continue
                lines.append(
                    "- %d user(s), %s: %s starts the LMS %d times (%.1f per user) in %.1f s; the toolkit %d "
                    "times (%.1f per user) in %.1f s. Baseline / toolkit: %s the starts, %s the wall time."
                    % (users, STEP_LABELS[step], base["label"], other["starts"], other["starts"] / users,
                       other["seconds"], tool["starts"], tool["starts"] / users, tool["seconds"],
                       ratio(other["starts"], tool["starts"]), ratio(other["seconds"], tool["seconds"])))
    return lines


def report(results, boot_delay):
    """The whole Markdown report."""
    lines = [
        "Boot delay %g s per manage.py start (the stand-in's LMS_BOOT_DELAY). N users = N service users, "
        "each with its own OAuth2 client (Tutor's createuser makes no client). Starts from boots.log, "
        "round trips from the access log, users and clients from the LMS database." % boot_delay,
        "",
        *HEADER,
        *rows(results),
        "",
        *ratios(results),
    ]
    return "\n".join(lines) + "\n"
