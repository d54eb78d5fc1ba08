# SPDX-License-Identifier: GPL-2.0
"""TAP (kselftest style) parsing and the run's tally.

Every leaf result counts: a test program reporting ten cases adds ten to the
tally. A program's exit status, a missing part of its plan, a timeout and a
kernel-log problem each add a failure of their own, so no broken run can
pass by saying nothing.
"""

import re
import threading

RESULT = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*?)\s*(?:#\s*(SKIP|TODO|skip|todo)\b\s*(.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)")
KSFT_SKIP = 4


class Result:
    def __init__(self, name):
        self.name = name
        self.passed = self.failed = self.skipped = 0
        self.failures = []

    def add(self, status, what):
        if status == "pass":
            self.passed += 1
        elif status == "skip":
            self.skipped += 1
        else:
            self.failed += 1
            self.failures.append(what)

    @property
    def ok(self):
        return self.failed == 0


def parse(output, status, name):
    """Tallies one test program's top-level TAP output and exit status."""
    r = Result(name)
    plan = None
    seen = 0
    for line in output.splitlines():
        m = PLAN.match(line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if not m:
            continue
        seen += 1
        verdict, _, what, directive, _ = m.groups()
        if directive and directive.upper() == "SKIP":
            r.add("skip", what)
        elif verdict == "ok" or (directive and directive.upper() == "TODO"):
            r.add("pass", what)
        else:
            r.add("fail", what or f"case {seen}")
    if plan is not None and seen < plan:
        for i in range(plan - seen):
            r.add("fail", f"case {seen + i + 1} of {plan} never reported")
    if status == KSFT_SKIP and seen == 0:
        r.add("skip", "whole test skipped")
    elif status != 0 and status != KSFT_SKIP and r.failed == 0:
        r.add("fail", f"exit status {status}")
    elif seen == 0 and status == 0:
        r.add("fail", "reported no result (no TAP output)")
    return r


class Tally:
    """The whole run's counts; thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.results = []

    def add(self, result):
        with self.lock:
            self.results.append(result)

    def totals(self):
        with self.lock:
            return (sum(r.passed for r in self.results),
                    sum(r.failed for r in self.results),
                    sum(r.skipped for r in self.results))

    def summary(self):
        p, f, s = self.totals()
        line = f"{p} passed, {f} failed"
        if s:
            line += f", {s} skipped"
        return line
