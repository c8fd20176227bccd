package cases

import (
	"context"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/store"
)

// CaseFilter selects cases. Each non-nil field adds one condition; the
// actor's scope is always added (scopeSQL). Name and BirthDate search the
// blind indexes and need case.view_personal: the coordinator, who sees
// statistics only, cannot learn by searching that a named person has a case.
type CaseFilter struct {
	Reference           *string
	Name                *string // every normalised token must match (any order, script, diacritics)
	BirthDate           *string // as registered: YYYY-MM-DD, YYYY-MM or YYYY
	Stage               *Stage
	Status              *Status
	IsChild             *bool
	Sex                 *string
	Citizenship         *string
	Municipality        *string
	ExploitationCountry *string
	Exploitation        *string // one vic_TypeOfExploitation code
	OpenedFrom          *string // YYYY-MM
	OpenedTo            *string // YYYY-MM
	RiskLevel           *string
	// Open keeps the cases not closed (true) or only the closed ones.
	Open *bool
	// Proceedings keeps the cases at one step of the criminal proceedings;
	// InProceedings those at any step but none.
	Proceedings   *string
	InProceedings bool
	// IDs, when not nil, keeps only these cases (an empty list keeps none):
	// a set another package's table defines (open stays, open tasks),
	// still within the actor's scope.
	IDs           []string
	Offset, Limit int
}

// Summary is a case in a list: its reference and statistical fields only.
type Summary struct {
	ID, Reference, OwnerOrg string
	Stage                   Stage
	Status                  Status
	IsChild                 bool
	Sex, AgeBand            string
	Citizenship             string
	Municipality            string
	OpenedMonth             string
	RiskLevel               string
	NonRemoval              bool
	UpdatedAt               time.Time
}

// MaxLimit caps a page of results.
const MaxLimit = 200

var monthRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// DefaultCountLimit bounds the count of a case list: a list of more
// matching cases reports one more than the limit (Service.Capped), "more
// than 10,000". Counting every one of a million cases would cost more than
// the page itself, and nobody pages through ten thousand cases: they narrow
// the filter.
const DefaultCountLimit = 10000

func (s *Service) countLimit() int {
	if s.CountLimit > 0 {
		return s.CountLimit
	}
	return DefaultCountLimit
}

// Capped says a total from FindCases means "more than" the count limit,
// and returns the limit to show.
func (s *Service) Capped(total int) (limit int, capped bool) {
	return s.countLimit(), total > s.countLimit()
}

// tokenBound is how far rarestFirst counts the persons carrying a token.
const tokenBound = 5000

// rarestFirst orders name-token indexes by how many persons carry them,
// counted up to tokenBound (an index-only read of at most that many
// entries), and returns the count of the rarest.
func (s *Service) rarestFirst(ctx context.Context, vals [][]byte) ([][]byte, int, error) {
	n := make(map[string]int, len(vals))
	for _, v := range vals {
		var c int
		err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM person_index WHERE kind = $1 AND value = $2
			LIMIT `+strconv.Itoa(tokenBound)+`) x`, IndexName, v).Scan(&c)
		if err != nil {
			return nil, 0, errs.Internalf("name token: %w", err)
		}
		n[string(v)] = c
	}
	out := append([][]byte(nil), vals...)
	sort.SliceStable(out, func(i, j int) bool { return n[string(out[i])] < n[string(out[j])] })
	return out, n[string(out[0])], nil
}

// minPageRead is the fewest cases a page reads (and trims to the page's
// limit): asked for one or two rows, SQLite's planner scans and sorts every
// case instead of walking the index on updated_at (measured: 270 ms against
// 4 ms at 100,000 cases for a home page's count), so a page of one reads five.
const minPageRead = 5

// DefaultBrowseByTeam is the number of cases up to which an actor's list
// is read from the team index and sorted; above it the newest cases are
// walked (Service.BrowseByTeam overrides it).
const DefaultBrowseByTeam = 5000

// memberCount counts the cases whose team has the actor's organisation or
// the actor, up to the count limit plus one, from the team index alone.
func (s *Service) memberCount(ctx context.Context, actor access.Actor) (int, error) {
	var n int
	err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT DISTINCT case_id FROM case_team
		WHERE org_id = $1 AND user_id IN ('', $2) LIMIT $3) x`, actor.OrgID, actor.UserID, s.countLimit()+1).Scan(&n)
	if err != nil {
		return 0, errs.Internalf("count team cases: %w", err)
	}
	return n, nil
}

// FindCases lists the cases the actor may see that match f, most recently
// changed first, with the total count for paging (exact up to the count
// limit, see Capped). A search by name or birth
// date is audited (without the value).
func (s *Service) FindCases(ctx context.Context, actor access.Actor, f CaseFilter) ([]*Summary, int, error) {
	if err := access.Check(actor, access.CaseList); err != nil {
		return nil, 0, err
	}
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = 50
	}
	personal := f.Name != nil || f.BirthDate != nil
	if personal && !access.Can(actor, access.CaseViewPersonal) {
		return nil, 0, errs.E(errs.Forbidden, "case.search_personal_forbidden")
	}
	var a args
	var where []string // the filters; the scope is added below
	if f.Reference != nil {
		where = append(where, "c.reference = "+a.add(strings.ToUpper(strings.TrimSpace(*f.Reference))))
	}
	if f.Name != nil {
		toks := linkage.NameTokens(*f.Name)
		if len(toks) == 0 {
			return nil, 0, errs.InvalidField("name", "case.name_required")
		}
		var vals [][]byte
		seen := map[string]bool{}
		for _, t := range toks {
			if !seen[t] {
				seen[t] = true
				vals = append(vals, s.index(indexEntry{IndexName, t}))
			}
		}
		vals, rarest, err := s.rarestFirst(ctx, vals)
		if err != nil {
			return nil, 0, err
		}
		if len(vals) == 1 && rarest >= tokenBound && f.BirthDate == nil {
			// One name thousands of people carry: a list nobody can read,
			// and a way to fish. Ask for the other name or a birth date.
			return nil, 0, errs.InvalidField("name", "case.search_too_broad")
		}
		// The rarest token drives; each other token is one probe of the
		// index per candidate (a common surname is carried by tens of
		// thousands of persons in a national register).
		k := a.add(IndexName)
		cond := `SELECT i0.person_id FROM person_index i0 WHERE i0.kind = ` + k + ` AND i0.value = ` + a.add(vals[0])
		for i, v := range vals[1:] {
			alias := "i" + strconv.Itoa(i+1)
			cond += ` AND EXISTS (SELECT 1 FROM person_index ` + alias + ` WHERE ` + alias + `.kind = ` + k + ` AND ` +
				alias + `.value = ` + a.add(v) + ` AND ` + alias + `.person_id = i0.person_id)`
		}
		where = append(where, `c.person_id IN (`+cond+`)`)
	}
	if f.BirthDate != nil {
		d := strings.TrimSpace(*f.BirthDate)
		if _, _, err := birthRange(d, false); err != nil {
			return nil, 0, errs.InvalidField("birth_date", "case.birth_date_format")
		}
		where = append(where, `c.person_id IN (SELECT person_id FROM person_index WHERE kind = `+a.add(IndexBirthDate)+
			` AND value = `+a.add(s.index(indexEntry{IndexBirthDate, d}))+`)`)
	}
	eq := func(col string, v *string) {
		if v != nil {
			where = append(where, col+" = "+a.add(*v))
		}
	}
	if f.Stage != nil {
		where = append(where, "c.stage = "+a.add(string(*f.Stage)))
	}
	if f.Status != nil {
		where = append(where, "c.victim_status = "+a.add(string(*f.Status)))
	}
	if f.IsChild != nil {
		where = append(where, "c.is_child = "+a.add(boolInt(*f.IsChild)))
	}
	eq("c.sex", f.Sex)
	eq("c.citizenship", f.Citizenship)
	eq("c.municipality", f.Municipality)
	eq("c.exploitation_country", f.ExploitationCountry)
	eq("c.risk_level", f.RiskLevel)
	for _, m := range []struct {
		v  *string
		op string
	}{{f.OpenedFrom, ">="}, {f.OpenedTo, "<="}} {
		if m.v != nil {
			if !monthRE.MatchString(*m.v) {
				return nil, 0, errs.InvalidField("opened", "case.month_invalid")
			}
			where = append(where, "c.opened_month "+m.op+" "+a.add(*m.v))
		}
	}
	if f.Open != nil {
		op := "<>"
		if !*f.Open {
			op = "="
		}
		where = append(where, "c.stage "+op+" "+a.add(string(StageClosed)))
	}
	eq("c.proceedings", f.Proceedings)
	if f.InProceedings {
		where = append(where, "c.proceedings <> "+a.add("none"))
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			where = append(where, "1 = 0")
		} else {
			marks := make([]string, len(f.IDs))
			for i, id := range f.IDs {
				marks[i] = a.add(id)
			}
			where = append(where, "c.id IN ("+strings.Join(marks, ", ")+")")
		}
	}
	if f.Exploitation != nil {
		where = append(where, `EXISTS (SELECT 1 FROM case_codes k WHERE k.case_id = c.id AND k.field = `+a.add(FieldExploitation)+
			` AND k.code = `+a.add(*f.Exploitation)+`)`)
	}
	filtered := len(where) > 0
	filterArgs := a.list
	// withScope adds the scope in the given form to the filters.
	withScope := func(scope func(access.Actor, access.Action, *args) string) (string, []any) {
		b := args{list: append([]any(nil), filterArgs...)}
		conds := append(append([]string(nil), where...), scope(actor, access.CaseList, &b))
		if personal && access.ScopeOf(actor, access.CaseViewPersonal) != access.ScopeOf(actor, access.CaseList) {
			conds = append(conds, scope(actor, access.CaseViewPersonal, &b))
		}
		return strings.Join(conds, " AND "), b.list
	}
	// How to read the actor's cases (see docs/architecture.md, "Scale"): a
	// search by reference, name or birth date finds a handful of cases and
	// checks the scope of each; a browse by an actor with few cases reads
	// them from the team index and sorts them; a browse by an actor with
	// many walks the cases newest first and keeps the actor's, which finds
	// a page after a few hundred.
	pageScope, countScope := scopeSQL, scopeSQL
	members := -1
	if sc := access.ScopeOf(actor, access.CaseList); !personal && f.Reference == nil && (sc == access.Org || sc == access.Team) {
		var err error
		if members, err = s.memberCount(ctx, actor); err != nil {
			return nil, 0, err
		}
		countScope = listScopeSQL
		limit := s.BrowseByTeam
		if limit <= 0 {
			limit = DefaultBrowseByTeam
		}
		if members <= limit {
			pageScope = listScopeSQL
		}
	}
	cond, list := withScope(pageScope)
	a = args{list: list}
	q := `SELECT c.id, c.reference, c.owner_org, c.stage, c.victim_status, c.is_child, c.sex, c.age_band, c.citizenship,
		c.municipality, c.opened_month, c.risk_level, c.non_removal, c.updated_at
		FROM cases c WHERE ` + cond + ` ORDER BY c.updated_at DESC, c.id LIMIT ` + a.add(max(f.Limit, minPageRead)) + ` OFFSET ` + a.add(f.Offset)
	rows, err := s.DB.Read().QueryContext(ctx, q, a.list...)
	if err != nil {
		return nil, 0, errs.Internalf("find cases: %w", err)
	}
	defer rows.Close()
	var out []*Summary
	for rows.Next() {
		var c Summary
		var child, nr int
		var updated store.Time
		if err := rows.Scan(&c.ID, &c.Reference, &c.OwnerOrg, &c.Stage, &c.Status, &child, &c.Sex, &c.AgeBand, &c.Citizenship,
			&c.Municipality, &c.OpenedMonth, &c.RiskLevel, &nr, &updated); err != nil {
			return nil, 0, errs.Internalf("find cases: %w", err)
		}
		c.IsChild, c.NonRemoval, c.UpdatedAt = child == 1, nr == 1, updated.Time
		out = append(out, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, errs.Internalf("find cases: %w", err)
	}
	rows.Close()
	out = out[:min(len(out), f.Limit)]
	// A short page ends the list: its total needs no count.
	total := f.Offset + len(out)
	switch {
	case len(out) < f.Limit && (len(out) > 0 || f.Offset == 0):
	case members >= 0 && !filtered:
		total = members // every case of the actor's: the team rows counted
	default:
		cond, list := withScope(countScope)
		err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM cases c WHERE `+cond+
			` LIMIT `+strconv.Itoa(s.countLimit()+1)+`) x`, list...).Scan(&total)
		if err != nil {
			return nil, 0, errs.Internalf("count cases: %w", err)
		}
	}
	if personal {
		by := "name"
		if f.Name == nil {
			by = "birth_date"
		} else if f.BirthDate != nil {
			by = "name;birth_date"
		}
		if err := s.recordRead(ctx, actor, "case.search", "", "", "by="+by); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
