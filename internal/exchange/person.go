package exchange

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/store"
)

// "Do you know this person?" from the asking side (issue 16 item 5): the
// contact point picks a case's person; Ura encodes the person with the
// linkage schema and the secret agreed with the partner and sends only that
// encoding (a Bloom filter: no name, no date) in a person_query. The
// partner's deliverer answers with the candidates it holds (query.go).

// PersonQueryRef is the reference of the one person a page's query asks about.
const PersonQueryRef = "p1"

// PersonQuery is what a person query to a partner will carry.
type PersonQuery struct {
	To      string
	CaseRef string
	Ref     string
	CLK     string // base64, exactly what is sent
	Bits    int    // the encoding's length in bits
}

// encoderFor returns the linkage encoder agreed with country, nil when no
// secret is recorded for it.
func (s *Service) encoderFor(ctx context.Context, q store.Querier, country string) (*linkage.Encoder, error) {
	schemaJSON, keyID, sealed, err := loadLinkage(ctx, q, country)
	if err != nil {
		return nil, errs.Internalf("linkage: %w", err)
	}
	if len(sealed) == 0 {
		return nil, nil
	}
	secret, err := s.Vault.Open(ctx, q, keyID, linkAAD(country), sealed)
	if err != nil {
		return nil, err
	}
	schema, err := linkage.ParseSchema(schemaJSON)
	if err != nil {
		clear(secret)
		return nil, errs.Internalf("linkage schema: %w", err)
	}
	enc, err := linkage.NewEncoder(schema, secret)
	clear(secret)
	if err != nil {
		return nil, errs.Internalf("linkage: %w", err)
	}
	enc.NormalizeText = true
	return enc, nil
}

// PlanPersonQuery encodes the person of a case for the partner: the case
// must be one the actor may send from, the partner active with a linkage
// secret recorded.
func (s *Service) PlanPersonQuery(ctx context.Context, actor access.Actor, to, caseID string, p *cases.Person) (*PersonQuery, error) {
	if err := access.Check(actor, access.ExchangeSend); err != nil {
		return nil, err
	}
	to = strings.ToUpper(strings.TrimSpace(to))
	partner, err := s.partner(ctx, s.DB.Read(), to)
	if err != nil {
		return nil, err
	}
	if partner == nil || !partner.Active || partner.activeKey() == nil {
		return nil, errs.InvalidField("to", "exchange.partner_inactive")
	}
	ref, err := s.Cases.Authorize(ctx, s.DB.Read(), actor, caseID, access.ExchangeSend)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errs.InvalidField("case", "exchange.person_not_visible")
	}
	enc, err := s.encoderFor(ctx, s.DB.Read(), to)
	if err != nil {
		return nil, err
	}
	if enc == nil {
		return nil, errs.InvalidField("to", "exchange.no_linkage")
	}
	c := enc.Encode(PersonQueryRef, func(f string) string {
		switch f {
		case "given_name":
			return p.GivenName
		case "family_name":
			return p.FamilyName
		case "birth_date":
			return p.BirthDate
		case "sex":
			return p.Sex
		case "citizenship":
			return p.Citizenship
		}
		return ""
	})
	return &PersonQuery{To: to, CaseRef: ref.Reference, Ref: PersonQueryRef, CLK: base64.StdEncoding.EncodeToString(c.Bits),
		Bits: len(c.Bits) * 8}, nil
}

// SendPersonQuery sends the planned query and returns its message id.
func (s *Service) SendPersonQuery(ctx context.Context, actor access.Actor, q *PersonQuery) (string, error) {
	b, _ := json.Marshal(map[string]any{"persons": []any{map[string]any{"ref": q.Ref, "clk": q.CLK}}})
	return s.Send(ctx, actor, SendRequest{To: q.To, Type: "person_query", Body: b})
}

// AnswerTo returns the partner's answer to an outgoing message (nil while
// none has come).
func (s *Service) AnswerTo(ctx context.Context, actor access.Actor, id string) (*Message, error) {
	if err := access.Check(actor, access.ExchangeRead); err != nil {
		return nil, err
	}
	rs, err := queryMsgs(ctx, s.DB.Read(), `SELECT `+msgColumns+` FROM exchange_messages WHERE direction = 'in' AND reply_to = $1
		ORDER BY created_at DESC, id LIMIT 1`, id)
	if err != nil {
		return nil, errs.Internalf("answer: %w", err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	m := rs[0].message()
	if m.Body, err = s.openBody(ctx, s.DB.Read(), rs[0]); err != nil {
		return nil, err
	}
	return m, nil
}
