# Copyright: edx-provision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""edx_enrollment's work on the controller: read enrollments, check the input, post only what differs.

Order of a call, so that bad input fails before any write, and cheap checks come first:
  1. read `course/{id}` of each course run an entry wants to be `present` in, once each: an unknown
     course run fails here, before any enrollment is read;
  2. read the current enrollments: the staff list `enrollments?course_id=C&username=u1,u2,...`
     (cursor pages of 100), or, where there is none (404: an LMS before 2019) or the caller is not
     staff (403), one `enrollment/{user},{course}` read per enrollment;
  3. plan every entry (enrollment_plan) and check the modes of each create or mode change;
  4. check that users no read has shown exist: a POST into a course that cannot exist, which the
     LMS refuses with 406 for an unknown user and with 400 (no course) for a known one, before it
     writes anything (contract 4.3: the user lookup comes before the enrollment);
  5. post the differences, one at a time, and verify each answer.
Check mode stops after step 3. Every request goes through one session and the Pacer; 429 answers
are waited out as Retry-After says, within throttle_timeout per request.
"""

import time

from ..diffs import diff_entries
from .enrollment_plan import (
    check_mode_against_course,
    needs_course_modes,
    outcome_mismatch,
    plan,
    public,
    validate,
)
from .probe import backoff_delays, explain_api_error
from .session import (
    HAS_REQUESTS,
    EdxHttpError,
    auth_scheme,
    body_excerpt,
    parse_json,
    transport_error,
)
from .throttle import Pacer, retry_delay

if HAS_REQUESTS:
    import requests

try:
    from urllib.parse import quote, urlsplit, urlunsplit
except ImportError:  # pragma: no cover - Python 2 is not a target
    from urllib import quote

    from urlparse import urlsplit, urlunsplit

API = "/api/enrollment/v1/"
STAFF_LIST = API + "enrollments"
ENROLLMENT = API + "enrollment"  # no trailing slash: `enrollment/` is a 404
COURSE = API + "course/"
API_KEY_HEADER = "X-Edx-Api-Key"
USER_RATE, STAFF_RATE = 40, 120  # EnrollmentUserThrottle (contract 4.2)
# The staff list takes 100 usernames a request. Their URL-encoded list is kept under 3200 characters
# so the request line stays below gunicorn's default limit of 4094 bytes.
MAX_NAMES, MAX_NAMES_CHARS = 100, 3200
# A course run id that cannot exist, and a mode no course has: a POST with them is refused before
# the LMS writes anything, after it has looked the user up.
USER_CHECK_COURSE = "course-v1:edx-provision+no-such-course+user-check"
USER_CHECK_MODE = "edx-provision-user-check"
DEFAULT_THROTTLE_TIMEOUT = 180.0


def enrollment_argument_spec():
    """Options of edx_enrollment besides the shared edx_http ones."""
    return dict(
        token=dict(type="str", no_log=True),
        token_type=dict(type="str", choices=["bearer", "jwt"], no_log=False),
        api_key=dict(type="str", no_log=True),
        enrollments=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                username=dict(type="str", required=True),
                course_id=dict(type="str", required=True),
                mode=dict(type="str"),
                state=dict(type="str", default="present", choices=["present", "absent"]),
            ),
        ),
        throttle_timeout=dict(type="float", default=DEFAULT_THROTTLE_TIMEOUT),
        requests_per_minute=dict(type="int"),
        check_users=dict(type="bool", default=True),
    )


class EnrollmentError(EdxHttpError):
    """A failure of the call; `done` holds the entries already applied when it happened."""


class Stats:
    """What the call cost, returned as `http` in the result."""

    def __init__(self):
        self.reads = self.writes = self.user_checks = self.course_reads = 0
        self.throttled = 0
        self.waited = 0.0

    def as_dict(self, strategy):
        return dict(
            requests=self.reads + self.writes + self.user_checks + self.course_reads + self.throttled,
            reads=self.reads,
            course_reads=self.course_reads,
            user_checks=self.user_checks,
            writes=self.writes,
            throttled=self.throttled,
            waited_seconds=round(self.waited, 3),
            read_strategy=strategy,
        )


def count_429s_ourselves(session):
    """Stop urllib3 from retrying 429 answers behind our back (it honours Retry-After on 429 when
    it retries at all): EnrollmentApi.send waits them out itself, paced and counted."""
    for adapter in session.adapters.values():
        retry = getattr(adapter, "max_retries", None)
        if retry is not None and hasattr(retry, "new"):
            adapter.max_retries = retry.new(respect_retry_after_header=False)
    return session


class EnrollmentApi:
    """The enrollment API through one session: auth headers, pacing, 429 waits, transport errors."""

    def __init__(
        self,
        session,
        lms_url,
        token=None,
        token_type=None,
        api_key=None,
        per_minute=None,
        throttle_timeout=DEFAULT_THROTTLE_TIMEOUT,
        request_timeout=None,
        clock=time.monotonic,
        sleep=time.sleep,
    ):
        self.session = session
        self.lms_url = lms_url
        self.headers = {}
        self.token, self.scheme = token, auth_scheme(token, token_type) if token else None
        if token:
            self.headers["Authorization"] = "%s %s" % (self.scheme, token)
        if api_key:
            self.headers[API_KEY_HEADER] = api_key
        self.has_api_key = bool(api_key)
        self.caller_is_staff = False  # proven by the staff list answering
        self.staff_list_status = None  # 403 (caller not staff) or 404 (an LMS before 2019) when it did not
        self.fixed_rate = per_minute is not None
        # Requests with the API key are never throttled; otherwise assume the user rate until the
        # staff list proves the caller is staff.
        if per_minute is None:
            per_minute = 0 if api_key else USER_RATE
        self.pacer = Pacer(per_minute, clock=clock, sleep=sleep)
        self.clock, self.sleep = clock, sleep
        self.throttle_timeout = throttle_timeout
        self.request_timeout = request_timeout
        self.stats = Stats()

    def mark_caller_staff(self):
        """The staff list answered, so the caller is staff: pace at the staff rate (unless told otherwise)."""
        self.caller_is_staff = True
        if not self.fixed_rate and not self.has_api_key:
            self.pacer.per_minute = STAFF_RATE

    def url(self, path):
        return self.lms_url + path

    def same_host(self, url):
        """A `next` link made absolute with our lms_url's scheme and host (a proxy may rewrite them)."""
        ours, theirs = urlsplit(self.lms_url), urlsplit(url)
        return urlunsplit((ours.scheme, ours.netloc, theirs.path, theirs.query, ""))

    def send(self, method, url, kind, authenticated=True, **kwargs):
        """One request, repeated while the LMS answers 429 and throttle_timeout allows."""
        deadline = self.clock() + self.throttle_timeout
        delays = backoff_delays(first=1.0, cap=30.0)
        headers = dict(self.headers) if authenticated else {}
        while True:
            if authenticated:
                self.stats.waited += self.pacer.wait()
            try:
                response = self.session.request(method, url, headers=headers, timeout=self.request_timeout, **kwargs)
            except requests.exceptions.RequestException as exc:
                raise transport_error(exc, url, self.request_timeout) from exc
            if authenticated:
                self.pacer.record()
            if response.status_code != 429:
                setattr(self.stats, kind, getattr(self.stats, kind) + 1)
                return response
            self.stats.throttled += 1
            if authenticated:
                self.pacer.full()
            wait = retry_delay(response.headers, next(delays))
            if self.clock() + wait > deadline:
                asked = (
                    "asked to wait %.0f s (Retry-After), past throttle_timeout (%ss)" % (wait, self.throttle_timeout)
                    if "Retry-After" in response.headers
                    else "kept throttling it for more than throttle_timeout (%ss)" % self.throttle_timeout
                )
                raise EnrollmentError(
                    "The LMS throttled the enrollment API (HTTP 429) at %s and %s: other clients use the same "
                    "user's budget (40 requests a minute, 120 for staff). Raise throttle_timeout, or set api_key "
                    "(API-key requests are not throttled)." % (url, asked),
                    cause="rate_limited",
                    url=url,
                )
            self.sleep(wait)
            self.stats.waited += wait


# --------------------------------------------------------------------------- error wording
def lms_message(response):
    ok, body = parse_json(response.text)
    if ok and isinstance(body, dict):
        for key in ("message", "developer_message", "detail", "error_code"):
            if body.get(key):
                return body[key]
        if body.get("field_errors"):
            return "; ".join("%s: %s" % (k, v.get("developer_message", v)) for k, v in body["field_errors"].items())
    return body_excerpt(response.text)


def api_error(api, response, url, entry=None, doing="calling"):
    """An EnrollmentError for an answer the call cannot go on with, worded by its cause."""
    status = response.status_code
    said = lms_message(response)
    what = (
        "%s in %s (%s)" % (entry["username"], entry["course_id"], "enrollments[%d]" % entry["index"]) if entry else url
    )
    if status == 401:
        cause, msg = explain_api_error(status, response.headers, response.text, url, api.scheme, api.token or "")
        if not api.token:
            msg = (
                "The LMS refused the request (HTTP 401): api_key is not this LMS's EDX_API_KEY (or the LMS "
                "has none) and no token was given. Fix api_key or pass a token."
            )
        return EnrollmentError(msg, cause=cause, url=url, status=status)
    if status == 406:
        return EnrollmentError(
            "The user %s does not exist on the LMS (HTTP 406: %s) for %s. Create the user first (edx_user) "
            "or fix the username." % (entry["username"], said, what),
            cause="unknown_user",
            url=url,
            status=status,
        )
    if status in (403, 404):
        refused = "The LMS refused %s %s (HTTP %s%s)" % (doing, what, status, ": %s" % said if said else ", empty body")
        why = None
        if api.caller_is_staff:
            why = "although the token's user is global staff"
        elif api.staff_list_status == 404:
            why = "and it has no staff enrollment list, so it predates 2019"
        if api.has_api_key:
            fix = (
                " although api_key was given: this LMS did not take it as its EDX_API_KEY (a wrong key, or an LMS "
                "without one), so the request counted as the token's user's. Check api_key (the role's "
                "edx_api_access_api_key) against the LMS's EDX_API_KEY."
            )
        elif why:
            fix = (
                " %s: an LMS before 2020 (Ginkgo) lets only its API key act for other users. Set api_key to the "
                "LMS's EDX_API_KEY (the role's edx_api_access_api_key; keep it in Ansible Vault)." % why
            )
        else:
            fix = (
                ": the token's user may only enroll itself. Enrolling other users, in modes other than audit or "
                "honor, needs a service user with global staff (is_staff; edx_user staff: true), or, on an LMS "
                "before 2020 (Ginkgo), the API key (api_key)."
            )
        return EnrollmentError(refused + fix, cause="not_allowed", url=url, status=status)
    if status == 400:
        lowered = str(said).lower()
        if "no course" in lowered:
            cause = "unknown_course"
            fix = "Check course_id: the LMS has no such course run."
        elif "mode" in lowered:
            cause = "unavailable_mode"
            fix = "Use a mode the course run offers, or leave mode out for its default."
        else:
            cause = "refused"
            fix = "The course run may be closed for enrollment or full."
        return EnrollmentError(
            "The LMS refused %s %s (HTTP 400): %s. %s" % (doing, what, said, fix), cause=cause, url=url, status=status
        )
    return EnrollmentError(
        "The enrollment API answered HTTP %s while %s %s: %r. Look at the LMS's error log; check lms_url."
        % (status, doing, what, body_excerpt(response.text)),
        cause="server_error" if status >= 500 else "unexpected_status",
        url=url,
        status=status,
    )


# --------------------------------------------------------------------------- reads
def _name_chunks(names):
    chunk, size = [], 0
    for name in names:
        length = len(quote(name, safe="")) + 3  # and an encoded comma
        if chunk and (len(chunk) >= MAX_NAMES or size + length > MAX_NAMES_CHARS):
            yield chunk
            chunk, size = [], 0
        chunk.append(name)
        size += length
    if chunk:
        yield chunk


def _by_course(entries):
    courses = {}
    for entry in entries:
        courses.setdefault(entry["course_id"], set()).add(entry["username"])
    return [(course, sorted(names)) for course, names in sorted(courses.items())]


def read_staff_list(api, entries):
    """{(user, course): state} for every entry's user in every entry's course; None when there is no
    staff list for this caller (404: the LMS has none; 403: the caller is not staff)."""
    found, first = {}, True
    for course, names in _by_course(entries):
        for chunk in _name_chunks(names):
            url, params = api.url(STAFF_LIST), {"course_id": course, "username": ",".join(chunk)}
            while url:
                response = api.send("GET", url, "reads", params=params)
                if first and response.status_code in (403, 404):
                    api.staff_list_status = response.status_code
                    return None
                first = False
                if response.status_code != 200:
                    raise api_error(api, response, url, doing="reading the staff enrollment list at")
                ok, body = parse_json(response.text)
                if not ok or not isinstance(body, dict) or not isinstance(body.get("results"), list):
                    raise EnrollmentError(
                        "The staff enrollment list at %s answered HTTP 200 without a results list: %r. "
                        "Something other than the LMS answered; check lms_url." % (url, body_excerpt(response.text)),
                        cause="bad_response",
                        url=url,
                    )
                for row in body["results"]:
                    found[(row.get("user"), row.get("course_id"))] = dict(
                        mode=row.get("mode"), is_active=bool(row.get("is_active"))
                    )
                url, params = (api.same_host(body["next"]) if body.get("next") else None), None
    api.mark_caller_staff()
    return found


def read_each(api, entries):
    """{(user, course): state} with one `enrollment/{user},{course}` read per entry."""
    found = {}
    for entry in entries:
        path = "%s/%s,%s" % (ENROLLMENT, quote(entry["username"], safe="@+"), quote(entry["course_id"], safe=":+/@"))
        url = api.url(path)
        response = api.send("GET", url, "reads")
        if response.status_code != 200:
            raise api_error(api, response, url, entry, doing="reading the enrollment of")
        ok, body = parse_json(response.text) if response.text.strip() else (True, None)
        if not ok or (body is not None and not isinstance(body, dict)):
            raise EnrollmentError(
                "The enrollment API at %s answered HTTP 200 with %r, not an enrollment. Check lms_url."
                % (url, body_excerpt(response.text)),
                cause="bad_response",
                url=url,
            )
        if body:
            found[(entry["username"], entry["course_id"])] = dict(
                mode=body.get("mode"), is_active=bool(body.get("is_active"))
            )
    return found


def read_course_modes(api, course_id, entry):
    """Slugs of the course run's modes open for enrollment (no authentication needed)."""
    url = api.url(COURSE + quote(course_id, safe=":+/@"))
    response = api.send("GET", url, "course_reads", authenticated=False)
    if response.status_code != 200:
        raise api_error(api, response, url, entry, doing="reading the course run of")
    ok, body = parse_json(response.text)
    if not ok or not isinstance(body, dict):
        raise EnrollmentError(
            "The course API at %s answered HTTP 200 with %r. Check lms_url." % (url, body_excerpt(response.text)),
            cause="bad_response",
            url=url,
        )
    return [mode.get("slug") for mode in body.get("course_modes") or []]


def unknown_user(api, entry):
    """True when the LMS says the entry's user does not exist; the check writes nothing."""
    url = api.url(ENROLLMENT)
    body = {"user": entry["username"], "mode": USER_CHECK_MODE, "course_details": {"course_id": USER_CHECK_COURSE}}
    response = api.send("POST", url, "user_checks", json=body)
    if response.status_code == 406:
        return True
    if response.status_code == 400:
        return False
    if response.status_code == 200:
        raise EnrollmentError(
            "Checking that user %s exists enrolled it in %s (HTTP 200): this LMS has a course run of that id. "
            "Set check_users: false." % (entry["username"], USER_CHECK_COURSE),
            cause="user_check_failed",
            url=url,
        )
    raise api_error(api, response, url, entry, doing="checking the user of")


# --------------------------------------------------------------------------- the call
def pairs(items, entries):
    """(plan, entry) pairs; both lists are in input order."""
    return [(items[index], entries[index]) for index in range(len(items))]


def ensure_enrollments(api, entries_param, check_mode=False, diff=False, check_users=True):
    """Converge the enrollments; returns the module result. Raises EnrollmentError (with `done`)."""
    entries, errors = validate(entries_param)
    if errors:
        raise EnrollmentError("Invalid enrollments: " + "; ".join(errors), cause="bad_option", errors=errors)
    modes = read_courses(api, entries)
    strategy, current = read_current(api, entries)
    items = [plan(entry, current.get((entry["username"], entry["course_id"]))) for entry in entries]
    check_course_modes(items, entries, modes)
    warnings = check_users_exist(api, items, entries, current, check_users, check_mode)
    done = []
    if not check_mode:
        for item, entry in pairs(items, entries):
            if item["action"] != "none":
                _apply(api, item, entry, done, items)
            done.append(item)
    result = dict(
        changed=any(item["action"] != "none" for item in items),
        enrollments=[public(item) for item in items],
        http=api.stats.as_dict(strategy),
    )
    if diff:
        result["diff"] = diff_entries(items, "enrollment", "key")
    if warnings:
        result["warnings"] = warnings
    return result


def read_current(api, entries):
    """(strategy, {(username, course_id): enrollment}) with the fewest reads this caller may make."""
    # The staff list takes no API key (IsAdminUser): a key-only caller reads each enrollment.
    current = read_staff_list(api, entries) if api.token else None
    if current is None:
        return "per_enrollment", read_each(api, entries)
    return "staff_list", current


def read_courses(api, entries):
    """{course_id: open modes} of every course run an entry wants to be present in, read once each
    before any enrollment: an unknown course run fails after one request, not after the staff lists."""
    modes = {}
    for entry in entries:
        if entry["state"] == "present" and entry["course_id"] not in modes:
            modes[entry["course_id"]] = read_course_modes(api, entry["course_id"], entry)
    return modes


def check_course_modes(items, entries, modes):
    """Fail before any write when a course run does not offer the mode an entry needs."""
    problems = []
    for item, entry in pairs(items, entries):
        if needs_course_modes(item):
            problem = check_mode_against_course(item, entry, modes[entry["course_id"]])
            if problem:
                problems.append(problem)
    if problems:
        raise EnrollmentError("Nothing was changed: " + "; ".join(problems), cause="unavailable_mode", errors=problems)


def check_users_exist(api, items, entries, current, check_users, check_mode):
    """Fail before any write on an unknown user of a new enrollment; returns warnings (check mode)."""
    seen = set(user for user, _course in current)
    unverified = []
    for item, entry in pairs(items, entries):
        if item["action"] == "create" and entry["username"] not in seen and entry["username"] not in unverified:
            unverified.append(entry["username"])
    if not unverified:
        return []
    if check_mode:
        return ["Check mode writes nothing, so it did not check that these users exist: %s" % ", ".join(unverified)]
    if not check_users:
        return []
    firsts = {}
    for entry in entries:
        firsts.setdefault(entry["username"], entry)
    missing = [name for name in unverified if unknown_user(api, firsts[name])]
    if missing:
        raise EnrollmentError(
            "Nothing was changed: the LMS has no user %s (HTTP 406). Create the users first (edx_user) or "
            "fix the usernames in %s."
            % (", ".join(missing), ", ".join("enrollments[%d].username" % firsts[name]["index"] for name in missing)),
            cause="unknown_user",
            users=missing,
        )
    return []


def _apply(api, item, entry, done, items):
    url = api.url(ENROLLMENT)
    try:
        response = api.send("POST", url, "writes", json=item["body"])
        if response.status_code != 200:
            raise api_error(
                api,
                response,
                url,
                entry,
                doing="enrolling" if item["action"] == "create" else "updating the enrollment of",
            )
        ok, answered = parse_json(response.text)
        if not ok or not isinstance(answered, dict):
            raise EnrollmentError(
                "The enrollment API answered a POST with %r, not an enrollment. Check lms_url."
                % body_excerpt(response.text),
                cause="bad_response",
                url=url,
            )
        wrong = outcome_mismatch(item, answered)
        if wrong:
            raise EnrollmentError(
                "The LMS answered HTTP 200 but left %s of %s in %s (enrollments[%d]) as %s instead of %s: the token's "
                "user may only create or reactivate enrollments. Changing modes and deactivating need global staff "
                "(is_staff) or, on an LMS before 2020, the API key (api_key)."
                % (
                    " and ".join(wrong),
                    entry["username"],
                    entry["course_id"],
                    entry["index"],
                    {k: answered.get(k) for k in wrong},
                    {k: item["after"][k] for k in wrong},
                ),
                cause="not_applied",
                url=url,
            )
        item["after"] = dict(mode=answered.get("mode"), is_active=bool(answered.get("is_active")))
    except EdxHttpError as exc:
        applied = [public(i) for i in done if i["action"] != "none"]
        exc.details["changed"] = bool(applied)
        exc.details["applied"] = applied
        exc.details["pending"] = [public(i) for i in items[len(done) :] if i["action"] != "none"]
        exc.details["http"] = api.stats.as_dict("")
        raise
