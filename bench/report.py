"""The bench's Markdown report: one row per approach and step, then baseline/toolkit ratios.

Pure functions over the measured results (dicts as bench/run.py writes them to JSON), so the
report can be rebuilt from a results file and unit-tested without a stand-in.
"""

from approaches import BASELINES, STEP_LABELS, STEPS, TOOLKITS

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
            lines.append(
                "| %d | %s | %s | %d | %s | %d | %s | %d / %d | %.1f s |"
                % (
                    result["users"],
                    result["label"],
                    STEP_LABELS[step],
                    data["starts"],
                    by_command(data["by_command"]),
                    data["round_trips"],
                    changed(data["changed"]),
                    data["users"],
                    data["clients"],
                    data["seconds"],
                )
            )
    return lines


def summary(results):
    """One row per user count and step, one column per approach: "starts, wall time"."""
    names = list(dict.fromkeys(result["approach"] for result in results))
    labels = {result["approach"]: result["label"] for result in results}
    found = {(result["approach"], result["users"]): result for result in results}
    lines = [
        "| users | step | %s |" % " | ".join(labels[name] for name in names),
        "|---|---|%s" % ("---|" * len(names)),
    ]
    for users in sorted({result["users"] for result in results}):
        for step in STEPS:
            cells = []
            for name in names:
                data = found.get((name, users), {}).get("steps", {}).get(step)
                cells.append("%d starts, %.1f s" % (data["starts"], data["seconds"]) if data else "not offered")
            if any(cell != "not offered" for cell in cells):
                lines.append("| %d | %s | %s |" % (users, STEP_LABELS[step], " | ".join(cells)))
    return lines


def ratio(numerator, denominator):
    return "%.1fx" % (numerator / denominator) if denominator else "n/a (toolkit: 0)"


def cost(data, users):
    return "%d starts (%.1f per user), %.1f s" % (data["starts"], data["starts"] / users, data["seconds"])


def ratios(results):
    """For each user count, baseline and step: its cost against each toolkit variant's, and the ratios."""
    found = {(result["approach"], result["users"]): result for result in results}
    toolkits = [name for name in TOOLKITS if any(result["approach"] == name for result in results)]
    lines = []
    for users in sorted({result["users"] for result in results}):
        for baseline in BASELINES:
            base = found.get((baseline, users))
            for step in COMPARED:
                other = base and base["steps"].get(step)
                tools = [found.get((name, users), {}).get("steps", {}).get(step) for name in toolkits]
                if not other or not any(tools):
                    continue
                cells = []
                for tool in tools:
                    cells.append(
                        "%s | %s, %s"
                        % (
                            cost(tool, users),
                            ratio(other["starts"], tool["starts"]),
                            ratio(other["seconds"], tool["seconds"]),
                        )
                        if tool
                        else "not measured | n/a"
                    )
                lines.append(
                    "| %d | %s | %s | %s | %s |"
                    % (users, STEP_LABELS[step], base["label"], cost(other, users), " | ".join(cells))
                )
    if not lines:
        return []
    labels = {result["approach"]: result["label"] for result in results}
    header = "| users | step | baseline | baseline cost |" + "".join(
        " %s cost | baseline / %s: starts, wall time |" % (labels[name], labels[name]) for name in toolkits
    )
    return [header, "|---|---|---|---|" + "---|---|" * len(toolkits), *lines, ""]


def report(results, boot_delay):
    """The whole Markdown report."""
    lines = [
        "Boot delay %g s per manage.py start (the stand-in's LMS_BOOT_DELAY). N users = N service users, "
        "each with its own OAuth2 client (Tutor's createuser makes no client). Starts from boots.log, "
        "round trips from the access log, users and clients from the LMS database." % boot_delay,
        "",
        *summary(results),
        "",
        *ratios(results),
        "Every step in detail:",
        "",
        *HEADER,
        *rows(results),
    ]
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- bench:begin -->\n", "<!-- bench:end -->\n"


def into_readme(readme, text):
    """README text with `text`'s tables (its first paragraph dropped) between the bench markers."""
    if readme.count(BEGIN) != 1 or readme.count(END) != 1 or readme.index(BEGIN) > readme.index(END):
        raise ValueError("the README needs one %s line followed by one %s line" % (BEGIN.strip(), END.strip()))
    head, rest = readme.split(BEGIN)
    tail = rest.split(END)[1]
    tables = text.split("\n\n", 1)[1].strip("\n")
    return head + BEGIN + tables + "\n" + END + tail
