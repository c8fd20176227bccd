package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
)

// user is one virtual person: a browser's cookie jar and what it has seen.
type user struct {
	r      *runner
	acc    Account
	rng    *rand.Rand
	client *http.Client
	mix    []Weighted
	csrf   string
	cases  []CaseLink
}

func newUser(r *runner, i int, a Account) *user {
	jar, _ := cookiejar.New(nil)
	return &user{r: r, acc: a, rng: rand.New(rand.NewPCG(r.o.Seed, uint64(i)+1)), mix: Mix(a.Role),
		client: &http.Client{Transport: r.tr, Jar: jar, Timeout: r.o.Timeout,
			// Redirects are answers to check (a 303 after a form is success),
			// never followed blindly.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// run signs in, learns its cases, and works until the run ends.
func (u *user) run() {
	ok := u.signInTurn()
	u.r.rampDone()
	if !ok {
		return
	}
	u.r.signedIn.Add(1)
	if Allowed(u.acc.Role, ActCaseList) {
		if err := u.caseList(true); errors.Is(err, errStopped) {
			return
		}
	}
	failures := 0
	for {
		if !u.think() {
			return
		}
		act, ok := Choose(u.rng, u.mix, func(a string) bool { return !needsCase[a] || len(u.cases) > 0 })
		if !ok {
			return
		}
		switch err := u.act(act); {
		case errors.Is(err, errStopped):
			return
		case err != nil:
			// A user whose every action fails (its session ended, the
			// server is gone) gives up rather than flood the report.
			if failures++; failures == maxFailuresInRow {
				return
			}
		default:
			failures = 0
		}
	}
}

// signInTurn waits for a sign-in slot and signs in; false when the user
// could not (the run ended, or the sign-in failed).
func (u *user) signInTurn() bool {
	select {
	case u.r.signins <- struct{}{}:
	case <-u.r.stop.Done():
		return false
	}
	defer func() { <-u.r.signins }()
	return u.signIn() == nil
}

// maxFailuresInRow is how many failed actions in a row make a user give up.
const maxFailuresInRow = 20

// think pauses before the next action; false when the run ended meanwhile.
func (u *user) think() bool {
	lo, hi := u.r.o.ThinkMin, u.r.o.ThinkMax
	if hi <= 0 {
		return u.r.stop.Err() == nil
	}
	d := lo
	if hi > lo {
		d += time.Duration(u.rng.Int64N(int64(hi - lo)))
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-u.r.stop.Done():
		return false
	}
}

func (u *user) act(a string) error {
	switch a {
	case ActDashboard:
		_, err := u.do(req{action: ActDashboard, method: "GET", path: "/"})
		return err
	case ActNotifications:
		_, err := u.do(req{action: ActNotifications, method: "GET", path: "/notifications"})
		return err
	case ActInbox:
		_, err := u.do(req{action: ActInbox, method: "GET", path: "/referrals"})
		return err
	case ActCaseList:
		return u.caseList(u.rng.IntN(10) < 7)
	case ActCaseOpen:
		c := u.pickCase()
		_, err := u.do(req{action: ActCaseOpen, method: "GET", path: "/cases/" + c.ID,
			check: func(body string) bool { return ParseCase(body).Reference == c.Reference }})
		return err
	case ActTimeline:
		c := u.pickCase()
		_, err := u.do(req{action: ActTimeline, method: "GET", path: "/cases/" + c.ID,
			check: func(body string) bool { return ParseCase(body).Timeline >= 0 }})
		return err
	case ActSearch:
		return u.search()
	case ActNote:
		return u.note()
	case ActRefer:
		return u.refer()
	case ActAnswer:
		return u.answer()
	}
	return fmt.Errorf("load: unknown action %q", a)
}

// req is one request and what counts as its success.
type req struct {
	action, method, path string
	form                 url.Values // POST body; the CSRF token is added
	want                 int        // expected status (default 200 for GET, 303 for POST)
	loc                  string     // prefix the redirect's Location must have
	check                func(body string) bool
}

// do sends one request, times it until its body is read, and records it.
// It returns the body; errStopped when the run is over (nothing recorded),
// errFailed when the answer was not the expected one (recorded as an error).
func (u *user) do(q req) (string, error) {
	if !u.r.take() {
		return "", errStopped
	}
	phase := u.r.phase()
	var body io.Reader
	if q.form != nil {
		if u.csrf != "" && q.form.Get("csrf") == "" {
			q.form.Set("csrf", u.csrf)
		}
		body = strings.NewReader(q.form.Encode())
	}
	if q.want == 0 {
		q.want = http.StatusOK
		if q.method == "POST" {
			q.want = http.StatusSeeOther
		}
	}
	// Requests are not cut off when the run's time is up (they finish or
	// time out), only when the whole command is interrupted.
	ctx, cancel := context.WithTimeout(u.r.parent, u.r.o.Timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, q.method, u.r.base+q.path, body)
	if err != nil {
		return "", err
	}
	hr.Header.Set("Accept-Language", "en")
	hr.Header.Set("User-Agent", "ura-load/1")
	if q.form != nil {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	start := time.Now()
	res, err := u.client.Do(hr)
	var page []byte
	if err == nil {
		page, err = io.ReadAll(io.LimitReader(res.Body, 16<<20))
		res.Body.Close()
	}
	d := time.Since(start)
	if err != nil && u.r.parent.Err() != nil {
		return "", errStopped // interrupted: not the server's failure
	}
	u.r.sent.Add(1)
	failure := ""
	switch {
	case err != nil:
		failure = "transport"
	case res.StatusCode != q.want:
		failure = strconv.Itoa(res.StatusCode)
		if loc := res.Header.Get("Location"); loc != "" {
			failure += " to " + pathOnly(loc)
		}
	case q.loc != "" && !strings.HasPrefix(res.Header.Get("Location"), q.loc):
		failure = strconv.Itoa(res.StatusCode) + " to " + pathOnly(res.Header.Get("Location"))
	case q.check != nil && !q.check(string(page)):
		failure = "unexpected page"
	}
	u.r.rec.RecordIn(phase, q.action, d, failure)
	if failure != "" {
		u.r.failed.Add(1)
		return string(page), errFailed
	}
	return string(page), nil
}

// pathOnly keeps a Location's path, dropping ids so tallies stay few: a
// redirect to the sign-in page reads "/signin".
func pathOnly(loc string) string {
	if u, err := url.Parse(loc); err == nil {
		loc = u.Path
	}
	if parts := strings.Split(loc, "/"); len(parts) > 2 {
		return "/" + parts[1] + "/…"
	}
	return loc
}

// signIn walks the sign-in pages as a browser does: the form, the
// password, the second-factor form and code, then the dashboard, whose
// forms carry the session's CSRF token.
func (u *user) signIn() error {
	if _, err := u.do(req{action: ActSignIn, method: "GET", path: "/signin"}); err != nil {
		return err
	}
	next := "/"
	if u.acc.TOTPSecret != "" {
		next = "/signin/totp"
	}
	if _, err := u.do(req{action: ActSignIn, method: "POST", path: "/signin", loc: next,
		form: url.Values{"email": {u.acc.Email}, "password": {u.acc.Password}}}); err != nil {
		return err
	}
	if u.acc.TOTPSecret != "" {
		page, err := u.do(req{action: ActSignIn, method: "GET", path: "/signin/totp",
			check: func(body string) bool { return CSRFToken(body) != "" }})
		if err != nil {
			return err
		}
		code, err := auth.TOTPCode(u.acc.TOTPSecret, u.r.o.Now())
		if err != nil {
			return err
		}
		if _, err := u.do(req{action: ActSignIn, method: "POST", path: "/signin/totp", loc: "/",
			form: url.Values{"csrf": {CSRFToken(page)}, "code": {code}}}); err != nil {
			return err
		}
	}
	page, err := u.do(req{action: ActDashboard, method: "GET", path: "/",
		check: func(body string) bool { return CSRFToken(body) != "" }})
	if err != nil {
		return err
	}
	u.csrf = CSRFToken(page)
	return nil
}

// caseList reads the case list: unfiltered, it refreshes the cases the user
// knows (its first page); otherwise it filters by a stage.
func (u *user) caseList(refresh bool) error {
	path := "/cases"
	if !refresh {
		path += "?stage=" + url.QueryEscape(string(cases.Stages[u.rng.IntN(len(cases.Stages))]))
	}
	page, err := u.do(req{action: ActCaseList, method: "GET", path: path,
		check: func(body string) bool { return strings.Contains(body, `id="case-list`) }})
	if err == nil && refresh {
		u.cases = CaseLinks(page)
	}
	return err
}

func (u *user) pickCase() CaseLink { return u.cases[u.rng.IntN(len(u.cases))] }

// search sends the case search form: a full name mostly (a single common
// name is refused as too broad, as a caseworker would learn), sometimes a
// birth date or a reference the user knows.
func (u *user) search() error {
	f := url.Values{}
	switch n := u.rng.IntN(10); {
	case n < 6 || len(u.cases) == 0:
		f.Set("name", u.r.names[u.rng.IntN(len(u.r.names))])
	case n < 8:
		f.Set("birth_date", fmt.Sprintf("%04d-%02d-%02d", 1970+u.rng.IntN(40), 1+u.rng.IntN(12), 1+u.rng.IntN(28)))
	default:
		f.Set("reference", u.pickCase().Reference)
	}
	_, err := u.do(req{action: ActSearch, method: "POST", path: "/cases/search", form: f, want: http.StatusOK,
		check: func(body string) bool { return strings.Contains(body, `id="case-search"`) }})
	return err
}

// noteTexts are the fictional notes the load writes, marked as load.
var noteTexts = []string{
	"Load test note: follow-up call with the case worker planned for next week.",
	"Load test note: documents requested from the municipality; waiting for the answer.",
	"Load test note: the person attended the appointment; no new needs reported.",
	"Load test note: interpreter booked for the next interview.",
}

var noteCategories = []string{"general", "social", "legal"}

func (u *user) note() error {
	c := u.pickCase()
	_, err := u.do(req{action: ActNote, method: "POST", path: "/cases/" + c.ID + "/notes", loc: "/cases/" + c.ID,
		form: url.Values{"category": {noteCategories[u.rng.IntN(len(noteCategories))]}, "visibility": {"team"},
			"body": {noteTexts[u.rng.IntN(len(noteTexts))]}}})
	return err
}

// refer opens a case and sends an emergency referral to one of the fitting
// services it has no open referral to. One user at a time refers a case.
func (u *user) refer() error {
	var c CaseLink
	claimed := false
	for range 3 {
		c = u.pickCase()
		if _, busy := u.r.referring.LoadOrStore(c.ID, true); !busy {
			claimed = true
			break
		}
	}
	if !claimed {
		u.r.rec.Skip(ActRefer)
		return nil
	}
	defer u.r.referring.Delete(c.ID)
	u.r.capacity.RLock()
	defer u.r.capacity.RUnlock()
	page, err := u.do(req{action: ActCaseOpen, method: "GET", path: "/cases/" + c.ID})
	if err != nil {
		return err
	}
	choices := ParseCase(page).Referable()
	if len(choices) == 0 {
		u.r.rec.Skip(ActRefer)
		return nil
	}
	s := choices[u.rng.IntN(len(choices))]
	_, err = u.do(req{action: ActRefer, method: "POST", path: "/cases/" + c.ID + "/referrals", loc: "/cases/" + c.ID,
		form: url.Values{"service_id": {s.Value}, "urgency": {"emergency"},
			"reason": {"Load test referral: the person needs a safe place and support at once."}}})
	return err
}

// answer reads the inbox and answers one pending referral: mostly accepts
// it (after checking the shelter board for a free bed), else declines.
func (u *user) answer() error {
	page, err := u.do(req{action: ActInbox, method: "GET", path: "/referrals"})
	if err != nil {
		return err
	}
	var open []InboxRow
	for _, row := range Inbox(page) {
		if row.State == "pending" && row.Answerable {
			if _, taken := u.r.answered.Load(row.ID); !taken {
				open = append(open, row)
			}
		}
	}
	u.rng.Shuffle(len(open), func(i, j int) { open[i], open[j] = open[j], open[i] })
	var row InboxRow
	found := false
	for _, o := range open {
		if _, taken := u.r.answered.LoadOrStore(o.ID, true); !taken {
			row, found = o, true
			break
		}
	}
	if !found {
		u.r.rec.Skip(ActAnswer)
		return nil
	}
	code := "other"
	if u.rng.IntN(4) > 0 {
		accepted, err := u.accept(row)
		if accepted || err != nil {
			return err
		}
		code = "no_capacity"
	}
	_, err = u.do(req{action: ActAnswer, method: "POST", path: "/referrals/" + row.ID + "/decline", loc: "/referrals/" + row.ID,
		form: url.Values{"code": {code}, "reason": {"Load test answer: we cannot take this referral this week."}}})
	return err
}

// accept accepts row unless it is for a shelter the board shows full
// (accepted false, no error: the caller declines it instead).
func (u *user) accept(row InboxRow) (accepted bool, err error) {
	u.r.capacity.Lock()
	defer u.r.capacity.Unlock()
	if roleCan(u.acc.Role, access.ServiceView) {
		page, err := u.do(req{action: ActShelters, method: "GET", path: "/shelters"})
		if err != nil {
			return false, err
		}
		if free, shelter := ShelterBeds(page)[row.Service]; shelter && free <= 0 {
			return false, nil
		}
	}
	_, err = u.do(req{action: ActAnswer, method: "POST", path: "/referrals/" + row.ID + "/accept", loc: "/referrals/" + row.ID,
		form: url.Values{}})
	return err == nil, err
}
