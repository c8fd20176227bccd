package exchange

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// "Do you know this person?" (issue 16, item 5). The asking contact point
// sends only CLK encodings (internal/linkage, with the secret the two
// countries agreed); the partner compares them with its own persons encoded
// the same way and answers only the candidates at or above the threshold,
// each with its score and the cross-border reference of its case. The
// partner learns nothing of a person it does not hold (a CLK does not open),
// and the asker nothing of persons that do not match.

// QueryThreshold is the lowest Dice coefficient answered as a candidate.
const QueryThreshold = 0.8

// SetLinkage records the linkage schema (clkhash JSON) and the secret agreed
// with a partner; the secret is sealed.
func (s *Service) SetLinkage(ctx context.Context, actor access.Actor, country string, schema, secret []byte) error {
	country = strings.ToUpper(strings.TrimSpace(country))
	if _, err := linkage.ParseSchema(schema); err != nil {
		return errs.InvalidField("schema", "exchange.linkage_schema_invalid")
	}
	secret = []byte(strings.TrimRight(string(secret), "\r\n"))
	if len(secret) < 16 {
		return errs.InvalidField("secret", "exchange.linkage_secret_short")
	}
	return s.DB.InTx(ctx, s.now(), func(tx *store.Tx) error {
		dk, err := s.dataKey(ctx, tx)
		if err != nil {
			return err
		}
		sealed, err := s.Vault.Seal(ctx, tx, dk, linkAAD(country), secret)
		if err != nil {
			return err
		}
		ok, err := setLinkage(ctx, tx, country, schema, dk, sealed)
		if err != nil {
			return err
		}
		if !ok {
			return errs.InvalidField("country", "exchange.partner_unknown")
		}
		_, err = audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "exchange.linkage_set",
			ObjectType: "exchange_partner", ObjectID: country})
		return err
	})
}

// answerQueries answers the person queries waiting, each in its own
// transaction; a query from a partner with no linkage secret waits for the
// contact point.
func (s *Service) answerQueries(ctx context.Context) error {
	qs, err := receivedOfType(ctx, s.DB.Read(), "person_query", 10)
	if err != nil {
		return err
	}
	for _, q := range qs {
		if err := s.answerQuery(ctx, q); err != nil {
			s.log().Warn("exchange: person query not answered", "id", q.ID, "err", err)
		}
	}
	return nil
}

type queryBody struct {
	Persons []struct {
		Ref string `json:"ref"`
		CLK string `json:"clk"`
	} `json:"persons"`
}

type candidate struct {
	Ref   string  `json:"ref"`
	XRef  string  `json:"xref"`
	Score float64 `json:"score"`
}

func (s *Service) answerQuery(ctx context.Context, q *row) error {
	schemaJSON, keyID, sealed, err := loadLinkage(ctx, s.DB.Read(), q.Peer)
	if err != nil || len(sealed) == 0 {
		return err
	}
	secret, err := s.Vault.Open(ctx, s.DB.Read(), keyID, linkAAD(q.Peer), sealed)
	if err != nil {
		return err
	}
	schema, err := linkage.ParseSchema(schemaJSON)
	if err != nil {
		return err
	}
	enc, err := linkage.NewEncoder(schema, secret)
	clear(secret)
	if err != nil {
		return err
	}
	enc.NormalizeText = true
	bodyMap, err := s.openBody(ctx, s.DB.Read(), q)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(bodyMap)
	var body queryBody
	if err := json.Unmarshal(raw, &body); err != nil {
		return err
	}
	asked := make([]linkage.CLK, 0, len(body.Persons))
	for _, p := range body.Persons {
		b, err := base64.StdEncoding.DecodeString(p.CLK)
		if err != nil || len(b) != schema.CLKBytes() {
			continue // not an encoding of the agreed schema: it matches nothing
		}
		asked = append(asked, linkage.CLK{ID: p.Ref, Bits: b})
	}
	// Encode this instance's persons with the partner's secret, a page at a time.
	type hit struct {
		personID string
		score    float64
	}
	best := map[string]hit{} // by the asker's ref
	after := ""
	for {
		ids, err := cases.UnmergedPersonsAfter(ctx, s.DB.Read(), after, 500)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		after = ids[len(ids)-1]
		ps, err := cases.OpenPersons(ctx, s.DB.Read(), s.Vault, ids)
		if err != nil {
			return err
		}
		for _, p := range ps {
			c := enc.Encode(p.ID, func(f string) string {
				switch f {
				case "given_name":
					return p.Person.GivenName
				case "family_name":
					return p.Person.FamilyName
				case "birth_date":
					return p.Person.BirthDate
				case "sex":
					return p.Person.Sex
				case "citizenship":
					return p.Person.Citizenship
				}
				return ""
			})
			for _, a := range asked {
				if d := linkage.Dice(a, c); d >= QueryThreshold && d > best[a.ID].score {
					best[a.ID] = hit{personID: p.ID, score: d}
				}
			}
		}
	}
	return s.DB.InTx(ctx, s.now(), func(tx *store.Tx) error {
		cur, err := getMsg(ctx, tx, "in", q.ID)
		if err != nil || cur == nil || cur.State != StateReceived {
			return err // answered meanwhile
		}
		cands := []candidate{}
		for _, a := range asked {
			h, ok := best[a.ID]
			if !ok {
				continue
			}
			pcs, err := cases.CasesOfPersons(ctx, tx, []string{h.personID})
			if err != nil || len(pcs) == 0 {
				continue
			}
			caseID := pcs[0].CaseID
			xref, err := caseRef(ctx, tx, caseID, q.Peer)
			if err != nil {
				return err
			}
			if xref == "" {
				xref = newXRef(s.Country, q.Peer)
				if err := insertCaseRef(ctx, tx, caseID, q.Peer, xref); err != nil {
					return err
				}
			}
			cands = append(cands, candidate{Ref: a.ID, XRef: xref, Score: math.Round(h.score*1000) / 1000})
		}
		b, _ := json.Marshal(map[string]any{"candidates": cands})
		_, err = s.SendIn(ctx, tx, access.SystemActor, SendRequest{To: q.Peer, Type: "person_answer", ReplyTo: q.ID, Body: b})
		return err
	})
}

func linkAAD(country string) vault.AAD {
	return vault.AAD{Table: "exchange_partners", Row: country, Field: "linkage_secret"}
}
