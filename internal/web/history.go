package web

import (
	"regexp"
	"strings"
	"time"
)

// helplineRefRE is the shape of a helpline contact's reference.
var helplineRefRE = regexp.MustCompile(`^HL-[0-9]{4}-[0-9]{1,8}$`)

// The readable case history. Each timeline entry carries a kind and a
// summary made of codes (cases.AppendTimeline refuses anything else); this
// file turns one into a translated sentence. It knows no domain package:
// an entry becomes a catalogue key and its arguments, every inserted value
// translated (a stage, a service type, a task) or a name (an organisation,
// a user), never a code or an id.
//
// Summaries come in two versions, and both are read:
//   - version 2, written since issue 10: the event first (with an optional
//     code after a colon), then "v=2", then fields, all separated by ";";
//     a list value is joined by "/": "moved;v=2;from=screening;to=presumed_victim",
//     "task.created:reflection_end;v=2", "updated;v=2;fields=risk_level/person".
//   - version 1, the rows written before (and still by internal/demo/scale):
//     one format per kind, such as "from=screening,to=presumed_victim",
//     "task.created:reflection_end", "fields=risk_level;person" or
//     "sent;urgency=24h;type=thb_shelter;…".
//
// Both parse into the same summary (event, argument, fields), so one switch
// renders them, and a row stored years ago reads as well as today's.

// historySummary is a parsed timeline summary.
type historySummary struct {
	Version int
	// Event is what happened ("sent", "task.created", "opened"); Arg the
	// code after a colon ("reflection_end" in "task.created:reflection_end").
	Event, Arg string
	Fields     map[string]string
	Flags      map[string]bool
	// List is a list value (the fields of an update).
	List []string
}

// parseSummary reads a summary of either version.
func parseSummary(kind, s string) historySummary {
	p := historySummary{Version: 1, Fields: map[string]string{}, Flags: map[string]bool{}}
	if kind == "update" {
		if v, ok := strings.CutPrefix(s, "fields="); ok {
			p.List = splitList(v, ";")
			return p
		}
	}
	toks := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' })
	for i, tok := range toks {
		k, v, has := strings.Cut(tok, "=")
		switch {
		case i == 0 && !has:
			p.Event, p.Arg, _ = strings.Cut(tok, ":")
		case has:
			p.Fields[k] = v
		default:
			p.Flags[tok] = true
		}
	}
	if p.Fields["v"] == "2" {
		p.Version = 2
		if kind == "update" {
			p.List = splitList(p.Fields["fields"], "/")
		}
	}
	return p
}

func splitList(v, sep string) []string {
	var out []string
	for _, f := range strings.Split(v, sep) {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// historyNames names the organisations and users an entry refers to, as far
// as the viewer may see them. Org returns "" for an organisation it cannot
// name; User returns the person's name or their role and organisation, ""
// when unknown.
type historyNames struct {
	Org  func(id string) string
	User func(id string) string
}

// historyText is a sentence to translate: a catalogue key and its
// arguments, already translated.
type historyText struct {
	Key  string
	Args []any
}

// historySentence turns one entry into a catalogue key and its arguments.
// t translates the values inserted into the sentence; a value without a
// catalogue entry makes the sentence fall back to one that leaves it out,
// so a code is never shown.
func historySentence(t func(string, ...any) string, kind, summary string, n historyNames) historyText {
	p := parseSummary(kind, summary)
	f := p.Fields
	// label translates a code through its catalogue key, "" when none.
	label := func(prefix, code string) string {
		if code == "" || !codeOK(code) {
			return ""
		}
		k := prefix + code
		if v := t(k); v != k {
			return v
		}
		return ""
	}
	org := func(id string) string {
		if id == "" || n.Org == nil {
			return ""
		}
		return n.Org(id)
	}
	// with picks key when every value is known, else the fallback.
	with := func(key string, fallback historyText, kv ...string) historyText {
		args := make([]any, 0, len(kv))
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				return fallback
			}
			args = append(args, kv[i], kv[i+1])
		}
		return historyText{Key: key, Args: args}
	}
	plain := func(key string) historyText { return historyText{Key: key} }

	switch kind {
	case "stage":
		to := p.Fields["to"]
		if p.Event == "opened" {
			if p.Flags["child"] {
				return plain("history.opened_child")
			}
			return plain("history.opened")
		}
		if to == "closed" {
			return with("history.closed_reason", plain("history.closed"), "reason", label("case.closure.", f["reason"]))
		}
		return with("history.stage", with("history.stage_to", plain("history.stage_changed"), "to", label("case.stage.", to)),
			"from", label("case.stage.", f["from"]), "to", label("case.stage.", to))
	case "guardian":
		return with("history.guardian.appointed", plain("history.guardian"), "kind", label("case.guardian.kind.", f["kind"]))
	case "decision":
		return with("history.decision", plain("history.decision_any"), "status", label("case.status.", f["status"]))
	case "duplicate":
		return with("history.duplicate_org", plain("history.duplicate"), "org", org(f["by_org"]))
	case "team":
		via := f["via"]
		if via != "referral" && via != "owner" {
			via = "assigned"
		}
		if u := f["user"]; u != "" && n.User != nil && n.User(u) != "" {
			return with("history.team_user."+via, plain("history.team"), "user", n.User(u), "org", org(f["org"]))
		}
		return with("history.team."+via, plain("history.team"), "org", org(f["org"]))
	case "update":
		var names []string
		for _, fl := range p.List {
			if l := label("history.field.", fl); l != "" {
				names = append(names, l)
			}
		}
		if len(names) == 0 {
			return plain("history.update")
		}
		return historyText{Key: "history.update_fields", Args: []any{"fields", strings.Join(names, ", ")}}
	case "plan", "assessment":
		switch p.Event {
		case "risk.assessed":
			return with("history.risk_assessed", plain("history.risk_assessed_any"), "level", label("risk.level.", p.Arg))
		case "needs.assessed":
			return plain("history.needs_assessed")
		case "plan.created":
			return plain("history.plan_created")
		case "plan.item_added":
			return with("history.plan_item", plain("history.plan_item_any"), "type", label("plan.type.", p.Arg))
		case "plan.progress":
			return with("history.plan_progress", plain("history.plan_progress_any"), "progress", label("plan.progress.", p.Arg))
		case "review.held":
			return plain("history.review_held")
		}
		return plain("history.plan")
	case "screening":
		return plain("history.screening_attached")
	case "note":
		return with("history.note_added", plain("history.note_added_any"), "category", label("note.category.", p.Arg))
	case "document":
		return plain("history.document_added")
	case "merge", "unmerge":
		role := f["role"]
		if role != "merged" {
			role = "survivor"
		}
		return plain("history." + kind + "." + role)
	case "task":
		ev := strings.TrimPrefix(p.Event, "task.")
		switch ev {
		case "created", "due", "overdue", "done":
		default:
			ev = "created"
		}
		return with("history.task."+ev, plain("history.task_any."+ev), "task", label("task.kind.", p.Arg))
	case "consent":
		typ := strings.TrimPrefix(p.Event, "consent.")
		switch typ {
		case "grant", "withdrawal", "override":
		default:
			return plain("history.consent")
		}
		return with("history.consent."+typ, plain("history.consent_any."+typ), "scope", label("consent.scope.", p.Arg))
	case "referral", "stay":
		return referralSentence(p, label, org, with, plain)
	case "gbv":
		// Domestic and gender-based violence (internal/gbv): codes only.
		switch p.Event {
		case "incident.recorded":
			return with("history.gbv.incident", plain("history.gbv.any"), "type", label("gbv.type.", p.Arg))
		case "risk.assessed":
			return with("history.gbv.risk", plain("history.gbv.any"), "level", label("gbv.risk.level.", p.Arg))
		case "order.recorded":
			return with("history.gbv.order", plain("history.gbv.any"), "kind", label("gbv.order.kind.", p.Arg))
		case "case_type.set":
			return with("history.gbv.case_type_to", plain("history.gbv.case_type_set"), "type", label("gbv.case_type.", p.Arg))
		case "order.violated", "safety_plan.recorded", "dependant.added", "perpetrator.recorded":
			return plain("history.gbv." + strings.ReplaceAll(p.Event, ".", "_"))
		}
		return plain("history.gbv.any")
	case "helpline":
		// The contact's reference (HL-2026-0042) is a reference, shown as
		// a case reference is; anything else leaves it out.
		contact := f["contact"]
		if !helplineRefRE.MatchString(contact) {
			contact = ""
		}
		return with("history.helpline.from_contact", plain("history.helpline.any"),
			"contact", contact, "channel", label("helpline.channel.", f["channel"]))
	}
	if l := label("case.kind.", kind); l != "" {
		return historyText{Key: "history.other", Args: []any{"kind", l}}
	}
	return plain("history.unknown")
}

// referralSentence renders the referral and stay entries (kind referral,
// and kind stay as the bulk generator writes them).
func referralSentence(p historySummary, label func(string, string) string, org func(string) string,
	with func(string, historyText, ...string) historyText, plain func(string) historyText) historyText {
	f := p.Fields
	service := label("service.type.", f["type"])
	v, ok := f["csw_informed"] // version 1: "csw_informed=<org>"
	if p.Event == "csw_informed" {
		v, ok = f["org"], true
	}
	if ok && (p.Event == "" || p.Event == "csw_informed") {
		if v == "none" {
			return plain("history.referral.csw_none")
		}
		return with("history.referral.csw", plain("history.referral.csw_any"), "org", org(v))
	}
	switch p.Event {
	case "sent":
		any := with("history.referral.sent_type", plain("history.referral.sent"), "service", service)
		return with("history.referral.sent_to", any, "service", service, "org", org(f["to"]))
	case "accepted", "declined", "withdrawn", "completed", "pending":
		ev := p.Event
		if ev == "pending" {
			return with("history.referral.sent_type", plain("history.referral.sent"), "service", service)
		}
		switch ev {
		case "declined":
			if code := label("referrals.decline.", f["code"]); code != "" && service != "" {
				return historyText{Key: "history.referral.declined_code", Args: []any{"service", service, "code", code}}
			}
		case "completed":
			if out := label("history.outcome.", f["outcome"]); out != "" && service != "" {
				return historyText{Key: "history.referral.completed_outcome", Args: []any{"service", service, "outcome", out}}
			}
		}
		return with("history.referral."+ev, plain("history.referral_any."+ev), "service", service)
	case "overdue":
		return with("history.referral.overdue", plain("history.referral.overdue_any"), "urgency", label("referrals.urgency.", f["urgency"]))
	case "admitted":
		if f["overflow"] == "1" {
			return with("history.stay.admitted_overflow", plain("history.stay.admitted_overflow_any"), "service", service)
		}
		return with("history.stay.admitted", plain("history.stay.admitted_any"), "service", service)
	case "discharged":
		exit := label("stays.exit.", f["exit"])
		if exit != "" {
			return with("history.stay.discharged_exit", historyText{Key: "history.stay.discharged_exit_any", Args: []any{"exit", exit}},
				"service", service, "exit", exit)
		}
		return with("history.stay.discharged", plain("history.stay.discharged_any"), "service", service)
	case "extended":
		return with("history.stay.extended", plain("history.stay.extended_any"), "service", service)
	case "exit_approved":
		return with("history.stay.exit_approved", plain("history.stay.exit_approved_any"), "role", label("role.", f["role"]))
	}
	return plain("history.referral.other")
}

// codeOK is true for a code that may be part of a catalogue key.
func codeOK(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// historyLine is one rendered entry of the case history.
type historyLine struct {
	At        time.Time
	Kind      string // a CSS hook: the entry's kind, a code never shown
	KindLabel string
	Text      string
	Who       string
}

// historyEntry is what the renderer needs of a timeline entry; the web
// layer fills it from cases.TimelineEntry.
type historyEntry struct {
	At                time.Time
	Kind, Summary     string
	ActorID, ActorOrg string
}

// historyWho names who made an entry: the user as far as the viewer may see
// them, the organisation otherwise, Ura itself for automatic entries.
func historyWho(t func(string, ...any) string, e historyEntry, n historyNames) string {
	if e.ActorID == "system" || e.ActorID == "" && e.ActorOrg == "" {
		return t("history.by_system")
	}
	if n.User != nil && e.ActorID != "" {
		if u := n.User(e.ActorID); u != "" {
			return u
		}
	}
	if n.Org != nil && e.ActorOrg != "" {
		if o := n.Org(e.ActorOrg); o != "" {
			return o
		}
	}
	return t("history.by_unknown")
}

// renderHistory renders entries (newest first) as sentences.
func renderHistory(t func(string, ...any) string, entries []historyEntry, n historyNames) []historyLine {
	out := make([]historyLine, 0, len(entries))
	for _, e := range entries {
		s := historySentence(t, e.Kind, e.Summary, n)
		kl := "case.kind." + e.Kind
		label := t(kl)
		if label == kl || !codeOK(e.Kind) {
			label = t("history.kind_other")
		}
		kind := e.Kind
		if !codeOK(kind) {
			kind = "other"
		}
		out = append(out, historyLine{At: e.At, Kind: kind, KindLabel: label, Text: t(s.Key, s.Args...), Who: historyWho(t, e, n)})
	}
	return out
}
