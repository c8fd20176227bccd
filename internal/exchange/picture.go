package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
)

// The regional picture (issue 16 item 6): the contact point sends its
// country's protected aggregate table of a year to every active partner,
// and each coordinator sees the tables of the region side by side, each
// country's protection stated. The exchange never reads the cases: the
// statistics capability counts and protects the table (disclosure control
// applied and recorded in the ledger before anything is sent), and both
// sides check that nothing below the threshold travels (stats.CheckPicture).

// Statistics is what the exchange needs of the statistics capability.
type Statistics interface {
	RegionalPicture(ctx context.Context, a access.Actor, year int, method disclosure.Method) (*stats.Picture, error)
}

// PictureType is the message type of the regional picture.
const PictureType = "regional_table"

// UnknownCountry stands for a citizenship or a country of exploitation not
// known (the ISO 3166 user-assigned code the region agreed on).
const UnknownCountry = "ZZ"

// protection names of the message (the schema's enum) by method.
var protectionOf = map[disclosure.Method]string{disclosure.Suppress: "suppression", disclosure.Noise: "dp"}

// pictureBody renders a protected picture as the message body.
func pictureBody(p *stats.Picture) map[string]any {
	rows := make([]any, 0, len(p.Cells))
	for _, c := range p.Cells {
		r := map[string]any{"citizenship": wireCountry(c.Citizenship), "form": c.Form,
			"country_of_exploitation": wireCountry(c.Country)}
		if c.Suppressed {
			r["suppressed"] = true
		} else {
			r["count"] = c.Count
		}
		rows = append(rows, r)
	}
	b := map[string]any{"year": p.Year, "protection": protectionOf[p.Method], "rows": rows}
	if p.Method == disclosure.Suppress {
		b["k"] = p.K
	} else {
		b["epsilon"] = p.Epsilon
	}
	return b
}

func wireCountry(cc string) string {
	if countryCC.MatchString(cc) {
		return cc
	}
	return UnknownCountry
}

// ParsePicture reads a regional_table body (validated against its schema)
// back into a picture and applies the rule both sides apply
// (stats.CheckPicture): a picture that shows a count under its threshold
// is refused.
func ParsePicture(body map[string]any) (*stats.Picture, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var w struct {
		Year       int      `json:"year"`
		Protection string   `json:"protection"`
		K          int      `json:"k"`
		Epsilon    *float64 `json:"epsilon"`
		Rows       []struct {
			Citizenship string `json:"citizenship"`
			Form        string `json:"form"`
			Country     string `json:"country_of_exploitation"`
			Count       *int   `json:"count"`
			Suppressed  bool   `json:"suppressed"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, &stats.PictureError{Rule: "not_a_picture"}
	}
	p := &stats.Picture{Year: w.Year, K: w.K}
	switch w.Protection {
	case "suppression":
		p.Method = disclosure.Suppress
	case "dp":
		p.Method = disclosure.Noise
		if w.Epsilon != nil {
			p.Epsilon = *w.Epsilon
		}
	}
	for _, r := range w.Rows {
		c := stats.PictureCell{Citizenship: r.Citizenship, Form: r.Form, Country: r.Country, Suppressed: r.Suppressed}
		if r.Count != nil {
			c.Count = *r.Count
		} else if !r.Suppressed {
			return nil, &stats.PictureError{Rule: "count_missing"}
		}
		p.Cells = append(p.Cells, c)
	}
	if err := stats.CheckPicture(p); err != nil {
		return nil, err
	}
	return p, nil
}

// SendPicture counts and protects the country's picture of year with the
// method (suppression or differential privacy) and queues it to every
// active partner, in one transaction with the copy kept for this
// country's regional table. It returns the messages' ids.
func (s *Service) SendPicture(ctx context.Context, actor access.Actor, year int, method disclosure.Method) ([]string, error) {
	if err := access.Check(actor, access.ExchangeSend); err != nil {
		return nil, err
	}
	if _, ok := protectionOf[method]; !ok {
		return nil, errs.InvalidField("protection", "exchange.picture_protection_invalid")
	}
	if year < 2000 || year > 2100 {
		return nil, errs.InvalidField("year", "exchange.picture_year_invalid")
	}
	if s.Stats == nil {
		return nil, errs.E(errs.Unavailable, "stats.protection_unavailable")
	}
	ps, err := s.Partners(ctx)
	if err != nil {
		return nil, err
	}
	var to []string
	for _, p := range ps {
		if p.Active && p.activeKey() != nil {
			to = append(to, p.Country)
		}
	}
	if len(to) == 0 {
		return nil, errs.InvalidField("year", "exchange.picture_no_partners")
	}
	pic, err := s.Stats.RegionalPicture(ctx, actor, year, method)
	if err != nil {
		return nil, err
	}
	body := pictureBody(pic)
	if _, err := ParsePicture(body); err != nil { // what leaves obeys the rule the partner applies
		return nil, errs.Internalf("regional picture: %w", err)
	}
	raw := encodeBody(body)
	var ids []string
	err = s.DB.InTx(ctx, s.now(), func(tx *store.Tx) error {
		for _, cc := range to {
			id, err := s.SendIn(ctx, tx, actor, SendRequest{To: cc, Type: PictureType, Body: raw, procedure: true})
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if err := putPicture(ctx, tx, s.Country, "out", ids[0], pic, raw); err != nil {
			return errs.Internalf("regional picture: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Event{Actor: audit.ActorFrom(actor), Action: "exchange.picture_sent",
			ObjectType: "exchange_picture", ObjectID: s.Country + "-" + strconv.Itoa(year),
			Detail: "protection=" + protectionOf[method] + ";partners=" + strconv.Itoa(len(to))})
		return err
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// CountryPicture is one country's table in the regional picture.
type CountryPicture struct {
	Country   string
	Own       bool
	MessageID string
	At        time.Time
	Picture   *stats.Picture
}

// Pictures returns the tables of year: this country's (as sent) and every
// partner's (as received), own first, then by country; and the years any
// table is held for, newest first.
func (s *Service) Pictures(ctx context.Context, actor access.Actor, year int) ([]CountryPicture, []int, error) {
	if err := access.Check(actor, access.ExchangeRead); err != nil {
		return nil, nil, err
	}
	rows, years, err := loadPictures(ctx, s.DB.Read(), year)
	if err != nil {
		return nil, nil, errs.Internalf("regional picture: %w", err)
	}
	var out []CountryPicture
	for _, r := range rows {
		var body map[string]any
		d := json.NewDecoder(bytes.NewReader(r.Body))
		d.UseNumber()
		if err := d.Decode(&body); err != nil {
			return nil, nil, errs.Internalf("regional picture: %w", err)
		}
		p, err := ParsePicture(body)
		if err != nil {
			return nil, nil, errs.Internalf("regional picture: %w", err)
		}
		cp := CountryPicture{Country: r.Country, Own: r.Country == s.Country, MessageID: r.MessageID, At: r.At, Picture: p}
		if cp.Own {
			out = append([]CountryPicture{cp}, out...)
		} else {
			out = append(out, cp)
		}
	}
	return out, years, nil
}

// takePicture keeps a received picture in the receiving transaction; an
// invalid one refuses the message.
func takePicture(ctx context.Context, tx *store.Tx, from, id string, body map[string]any) error {
	p, err := ParsePicture(body)
	if err != nil {
		return err
	}
	return putPicture(ctx, tx, from, "in", id, p, encodeBody(body))
}

func epsilonText(p *stats.Picture) string {
	if p.Method != disclosure.Noise || math.IsNaN(p.Epsilon) {
		return ""
	}
	return strconv.FormatFloat(p.Epsilon, 'g', 6, 64)
}
