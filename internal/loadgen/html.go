package loadgen

import (
	"html"
	"regexp"
	"strconv"
	"strings"
)

// Reading Ura's own pages. The load reads only what a person would click:
// the CSRF token of the forms, links to cases and referrals, the services
// the referral form offers, the pending rows of the inbox and the free beds
// on the shelter board. The markup is Ura's own templates (ids and data-
// attributes the browser tests rely on too), so regular expressions over
// them suffice; the integration test catches any drift.

var (
	csrfRE       = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	caseLinkRE   = regexp.MustCompile(`<a href="/cases/([A-Za-z0-9_-]+)">([^<]+)</a>`)
	optionRE     = regexp.MustCompile(`<option value="([^"]+)"[^>]*>([^<]*)</option>`)
	caseRefRowRE = regexp.MustCompile(`(?s)<tr id="referral-[^"]+" data-state="([a-z_]+)"[^>]*>\s*<th scope="row"><a href="/referrals/[^"]+">([^<]*)</a>`)
	inboxRowRE   = regexp.MustCompile(`(?s)<tr id="referral-([^"]+)" data-case="([^"]*)" data-state="([a-z_]+)"[^>]*>\s*<th scope="row">.*?</th>\s*<td>([^<]*)</td>`)
	shelterRowRE = regexp.MustCompile(`(?s)<tr id="shelter-[^"]+" data-free="(-?\d+)"[^>]*>\s*<th scope="row"><a href="/services/[^"]+">([^<]*)</a>`)
	timelineRE   = regexp.MustCompile(`(?s)<ol id="timeline"[^>]*>(.*?)</ol>`)
)

// CSRFToken returns the value of the first form's csrf field, or "".
func CSRFToken(page string) string {
	if m := csrfRE.FindStringSubmatch(page); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// section returns the part of page from the element with id up to the
// first end after it, or "" when there is no such element.
func section(page, id, end string) string {
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	s := page[i:]
	if j := strings.Index(s, end); j >= 0 {
		s = s[:j]
	}
	return s
}

// CaseLink is a case as the case list shows it: its id (in the page's
// address) and its reference.
type CaseLink struct {
	ID, Reference string
}

// CaseLinks returns the cases of a case list page (/cases).
func CaseLinks(page string) []CaseLink {
	var out []CaseLink
	for _, m := range caseLinkRE.FindAllStringSubmatch(section(page, "case-list", "</table>"), -1) {
		out = append(out, CaseLink{ID: m[1], Reference: html.UnescapeString(m[2])})
	}
	return out
}

// CasePage is what the load reads of a case page.
type CasePage struct {
	Reference string
	// Timeline is the number of timeline entries; -1 when the page has no timeline.
	Timeline int
	// CanNote is set when the page offers the note form.
	CanNote bool
	// Services are the referral form's choices: fitting services of other
	// organisations (empty when the page offers no referral form).
	Services []Option
	// Open names the services this case has a pending or accepted referral to.
	Open map[string]bool
}

// Option is one choice of a select.
type Option struct {
	Value, Text string
}

var caseRefRE = regexp.MustCompile(`<h1 id="case-reference">([^<]*)</h1>`)

// ParseCase reads a case page (/cases/{id}).
func ParseCase(page string) CasePage {
	c := CasePage{Timeline: -1, Open: map[string]bool{}}
	if m := caseRefRE.FindStringSubmatch(page); m != nil {
		c.Reference = html.UnescapeString(m[1])
	}
	if m := timelineRE.FindStringSubmatch(page); m != nil {
		c.Timeline = strings.Count(m[1], "<li>")
	}
	c.CanNote = strings.Contains(page, `id="note-form"`)
	for _, m := range optionRE.FindAllStringSubmatch(section(page, "referral-service", "</select>"), -1) {
		c.Services = append(c.Services, Option{Value: html.UnescapeString(m[1]), Text: html.UnescapeString(m[2])})
	}
	for _, m := range caseRefRowRE.FindAllStringSubmatch(section(page, "case-referrals", "</table>"), -1) {
		if m[1] == "pending" || m[1] == "accepted" {
			c.Open[html.UnescapeString(m[2])] = true
		}
	}
	return c
}

// Referable returns the referral form's services that the case has no open
// referral to. The form shows a service as "Name (type)"; the case's
// referrals show its name.
func (c CasePage) Referable() []Option {
	var out []Option
	for _, o := range c.Services {
		open := false
		for name := range c.Open {
			if o.Text == name || strings.HasPrefix(o.Text, name+" (") {
				open = true
				break
			}
		}
		if !open {
			out = append(out, o)
		}
	}
	return out
}

// InboxRow is one referral to the user's organisation.
type InboxRow struct {
	ID, CaseRef, State, Service string
	// Answerable is set when the row carries the accept form.
	Answerable bool
}

// Inbox returns the rows of the inbox on the referrals page (/referrals).
func Inbox(page string) []InboxRow {
	sec := section(page, "inbox", "</section>")
	var out []InboxRow
	for _, m := range inboxRowRE.FindAllStringSubmatch(sec, -1) {
		r := InboxRow{ID: m[1], CaseRef: html.UnescapeString(m[2]), State: m[3], Service: strings.TrimSpace(html.UnescapeString(m[4]))}
		r.Answerable = strings.Contains(sec, `action="/referrals/`+r.ID+`/accept"`)
		out = append(out, r)
	}
	return out
}

// ShelterBeds returns the free beds of each shelter on the availability
// board (/shelters), by name; a name listed twice keeps its smaller count.
func ShelterBeds(page string) map[string]int {
	out := map[string]int{}
	for _, m := range shelterRowRE.FindAllStringSubmatch(section(page, "shelter-board", "</table>"), -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			continue
		}
		name := html.UnescapeString(m[2])
		if old, ok := out[name]; !ok || n < old {
			out[name] = n
		}
	}
	return out
}
