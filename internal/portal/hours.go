package portal

import (
	"fmt"
	"strings"
	"time"
)

// Hours are the helpline's opening hours: for each weekday, the minutes of
// the day it opens and closes (close 1440 is midnight).
type Hours struct {
	open, close [7]int // by time.Weekday; open == close: closed all day
	// Always is set when the line never closes.
	Always bool
}

var dayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// ParseHours reads hours such as "mon-fri 08:00-22:00", "mon-fri 08:00-22:00;
// sat 09:00-13:00" or "24/7". Days not named are closed.
func ParseHours(s string) (Hours, error) {
	var h Hours
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "24/7" || s == "always" {
		h.Always = true
		for d := range 7 {
			h.close[d] = 1440
		}
		return h, nil
	}
	for part := range strings.SplitSeq(s, ";") {
		days, span, ok := strings.Cut(strings.TrimSpace(part), " ")
		if !ok {
			return h, fmt.Errorf("helpline hours %q: want e.g. mon-fri 08:00-22:00", part)
		}
		from, to, ok := strings.Cut(strings.TrimSpace(span), "-")
		o, err1 := minutes(from)
		c, err2 := minutes(to)
		if !ok || err1 != nil || err2 != nil || c <= o {
			return h, fmt.Errorf("helpline hours %q: want HH:MM-HH:MM", span)
		}
		d1, d2, rng := strings.Cut(days, "-")
		a, okA := dayNames[d1]
		b := a
		okB := true
		if rng {
			b, okB = dayNames[d2]
		}
		if !okA || !okB {
			return h, fmt.Errorf("helpline hours %q: days are mon, tue, wed, thu, fri, sat, sun", days)
		}
		for d := a; ; d = (d + 1) % 7 {
			h.open[d], h.close[d] = o, c
			if d == b {
				break
			}
		}
	}
	return h, nil
}

func minutes(s string) (int, error) {
	var hh, mm int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &hh, &mm); err != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh == 24 && mm != 0 {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return hh*60 + mm, nil
}

// OpenAt tells whether the line is open at t (in t's location).
func (h Hours) OpenAt(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	d := t.Weekday()
	return h.open[d] < h.close[d] && m >= h.open[d] && m < h.close[d]
}

// NextOpen is when the line opens next after t (zero when it never opens).
func (h Hours) NextOpen(t time.Time) time.Time {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	for i := range 8 {
		d := day.AddDate(0, 0, i)
		wd := d.Weekday()
		if h.open[wd] >= h.close[wd] {
			continue
		}
		at := d.Add(time.Duration(h.open[wd]) * time.Minute)
		if at.After(t) {
			return at
		}
	}
	return time.Time{}
}

// Spans lists the opening hours as (first day, last day, open, close)
// groups of consecutive days with the same hours, Monday first.
func (h Hours) Spans() []Span {
	var out []Span
	order := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	for _, d := range order {
		if h.open[d] >= h.close[d] {
			continue
		}
		if n := len(out); n > 0 && out[n-1].open == h.open[d] && out[n-1].close == h.close[d] && (out[n-1].To+1)%7 == d {
			out[n-1].To = d
			continue
		}
		out = append(out, Span{From: d, To: d, open: h.open[d], close: h.close[d]})
	}
	return out
}

// Span is a run of days with the same hours.
type Span struct {
	From, To    time.Weekday
	open, close int
}

// Open and Close are the span's times, HH:MM.
func (s Span) Open() string  { return hhmm(s.open) }
func (s Span) Close() string { return hhmm(s.close) }

func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }
