package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/errs"
)

const auditPage = 50

type auditData struct {
	Events     []audit.Event
	Total      int
	Capped     bool // more than Total events match
	Page, Last int
	PrevURL    string
	NextURL    string
	ExportURL  string
	Outcomes   []string
}

// auditFilter reads the audit view's filters from the query string. The
// values are ids and codes (never personal data), so they may sit in the URL.
func auditFilter(q url.Values) (audit.Filter, error) {
	var f audit.Filter
	day := func(name string, end bool) (*time.Time, error) {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			return nil, nil
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return nil, errs.InvalidField(name, "validation.date")
		}
		if end {
			t = t.Add(24*time.Hour - time.Nanosecond)
		}
		return &t, nil
	}
	var err error
	if f.From, err = day("from", false); err != nil {
		return f, err
	}
	if f.To, err = day("to", true); err != nil {
		return f, err
	}
	str := func(name string) *string {
		if v := strings.TrimSpace(q.Get(name)); v != "" {
			if len(v) > 200 {
				v = v[:200]
			}
			return &v
		}
		return nil
	}
	f.ActorID, f.Action, f.ObjectID, f.Outcome = str("actor"), str("action"), str("object"), str("outcome")
	f.ObjectType = str("type")
	return f, nil
}

func (s *server) handleAudit(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	q := r.URL.Query()
	f, err := auditFilter(q)
	pg, _ := strconv.Atoi(q.Get("page"))
	if pg < 1 {
		pg = 1
	}
	d := auditData{Page: pg, Outcomes: []string{"ok", "denied", "failed"}}
	var ferr error
	if err != nil {
		ferr = err
	} else {
		f.Offset, f.Limit = (pg-1)*auditPage, auditPage
		d.Events, d.Total, err = audit.Find(r.Context(), s.app.DB.Read(), f)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	more := d.Total
	if d.Total > audit.CountLimit {
		d.Total, d.Capped = audit.CountLimit, true
	}
	d.Last = (d.Total + auditPage - 1) / auditPage
	link := func(p int) string {
		c := url.Values{}
		for k, v := range q {
			c[k] = v
		}
		c.Set("page", strconv.Itoa(p))
		return "/audit?" + c.Encode()
	}
	if pg > 1 {
		d.PrevURL = link(pg - 1)
	}
	if pg*auditPage < more {
		d.NextURL = link(pg + 1)
	}
	c := url.Values{}
	for k, v := range q {
		if k != "page" && k != "lang" {
			c[k] = v
		}
	}
	d.ExportURL = "/audit/export.csv?" + c.Encode()
	p := s.newPage(r, "audit.title", d)
	p.Form = q
	status := http.StatusOK
	if ferr != nil {
		setFormError(p, st, ferr)
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "audit", p)
}

// handleAuditCSV exports the filtered events (at most 100,000 per file); the
// export itself is an audited act.
func (s *server) handleAuditCSV(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	f, err := auditFilter(r.URL.Query())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	f.Limit = 100_000
	events, _, err := audit.Find(r.Context(), s.app.DB.Read(), f)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if _, err := audit.AppendNow(r.Context(), s.app.DB, s.now(), audit.Event{
		Actor: actorAudit(st.user), Action: "audit.export", ObjectType: "audit", Detail: "rows=" + strconv.Itoa(len(events)), RequestID: st.id,
	}); err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="ura-audit.csv"`)
	if err := audit.WriteCSV(w, events); err != nil {
		s.log.Error("audit csv", "id", st.id, "err", err)
	}
}

func (s *server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// handleReadyz answers 200 only when the database answers and its schema is
// the one this binary knows, so a load balancer sends no traffic before.
func (s *server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.app.DB.Ping(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	if err := s.app.DB.CheckSchema(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("schema not current\n"))
		return
	}
	w.Write([]byte("ready\n"))
}

func (s *server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.Write(w)
}
