package identify

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/ura-nrm/ura/internal/i18n"
)

//go:embed catalogue/indicators-2009.json
var defaultData []byte

// Indicator is one operational indicator in one profile and dimension. The
// same observation ("debt bondage") is a different indicator in D2 and D5 and
// in each profile, because its weight differs; Item names the observation.
type Indicator struct {
	// ID is stable across versions: prefix.dimension.item, e.g. "al.d1.deceived_nature_of_job".
	ID        string
	Item      string
	Profile   Profile
	Dimension Dimension
	Weight    Weight
	// Confidence is V, S or R (DOMAIN.md); R weights await checking against the brochure.
	Confidence string
	Note       string
	labels     map[i18n.Lang]string
	order      int // position in the profile's list, for stable explanations
}

// Label returns the indicator's text in language l (English if l is unknown).
func (in *Indicator) Label(l i18n.Lang) string {
	if s, ok := in.labels[l]; ok {
		return s
	}
	return in.labels[i18n.English]
}

// Catalogue is one version of the four lists, read-only once loaded, so it is
// shared between requests without locks.
type Catalogue struct {
	Version string
	Source  string
	lists   map[Profile][]*Indicator
	byID    map[string]*Indicator
}

// Indicators returns a profile's indicators in D1–D6 order, as the data lists
// them. The slice is shared: do not modify it.
func (c *Catalogue) Indicators(p Profile) []*Indicator { return c.lists[p] }

// Indicator returns the indicator with the given id in any profile.
func (c *Catalogue) Indicator(id string) (*Indicator, bool) {
	in, ok := c.byID[id]
	return in, ok
}

var defaultCatalogue = func() *Catalogue {
	c, err := ParseCatalogue(defaultData)
	if err != nil {
		// Embedded and tested: a broken file is a build mistake.
		panic(err)
	}
	return c
}()

// Default returns the catalogue embedded in the binary.
func Default() *Catalogue { return defaultCatalogue }

// The data file's shape; see catalogue/indicators-2009.json.
type fileData struct {
	Version  string                       `json:"version"`
	Source   string                       `json:"source"`
	About    string                       `json:"about"`
	Items    map[string]map[string]string `json:"items"`
	Profiles map[string]struct {
		Prefix     string `json:"prefix"`
		Confidence string `json:"confidence"`
		Source     string `json:"source"`
		Dimensions map[string][]struct {
			Item       string `json:"item"`
			Weight     string `json:"weight"`
			Confidence string `json:"confidence"`
			Note       string `json:"note"`
		} `json:"dimensions"`
	} `json:"profiles"`
}

var itemRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,60}$`)

// ParseCatalogue reads and checks a catalogue file: every profile present,
// every weight and confidence known, every item labelled in English, Albanian
// and Serbian Latin (Cyrillic is transliterated here, as the UI catalogues
// generate it), no indicator twice.
func ParseCatalogue(b []byte) (*Catalogue, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f fileData
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("identify: catalogue: %w", err)
	}
	if f.Version == "" {
		return nil, fmt.Errorf("identify: catalogue has no version")
	}
	c := &Catalogue{Version: f.Version, Source: f.Source, lists: map[Profile][]*Indicator{}, byID: map[string]*Indicator{}}
	labels := map[string]map[i18n.Lang]string{}
	for item, ls := range f.Items {
		if !itemRE.MatchString(item) {
			return nil, fmt.Errorf("identify: catalogue item %q: not a lower-case name", item)
		}
		m := map[i18n.Lang]string{}
		for _, l := range []i18n.Lang{i18n.English, i18n.Albanian, i18n.SerbianLatin} {
			s := strings.TrimSpace(ls[string(l)])
			if s == "" {
				return nil, fmt.Errorf("identify: catalogue item %q has no %s label", item, l)
			}
			m[l] = s
		}
		if len(ls) != 3 {
			return nil, fmt.Errorf("identify: catalogue item %q: labels must be en, sq and sr-Latn only", item)
		}
		m[i18n.SerbianCyrillic] = i18n.LatinToCyrillic(m[i18n.SerbianLatin])
		labels[item] = m
	}
	prefixes := map[string]bool{}
	for _, p := range Profiles {
		pf, ok := f.Profiles[string(p)]
		if !ok {
			return nil, fmt.Errorf("identify: catalogue lacks profile %s", p)
		}
		if !itemRE.MatchString(pf.Prefix) || prefixes[pf.Prefix] {
			return nil, fmt.Errorf("identify: profile %s: prefix %q missing, malformed or used twice", p, pf.Prefix)
		}
		prefixes[pf.Prefix] = true
		if !validConfidence(pf.Confidence) {
			return nil, fmt.Errorf("identify: profile %s: confidence must be V, S or R", p)
		}
		if len(pf.Dimensions) != NumDimensions {
			return nil, fmt.Errorf("identify: profile %s: want dimensions D1–D6", p)
		}
		for _, d := range Dimensions {
			rows, ok := pf.Dimensions[d.String()]
			if !ok || len(rows) == 0 {
				return nil, fmt.Errorf("identify: profile %s: dimension %s missing or empty", p, d)
			}
			for _, row := range rows {
				id := pf.Prefix + ".d" + d.String()[1:] + "." + row.Item
				w, ok := ParseWeight(row.Weight)
				if !ok {
					return nil, fmt.Errorf("identify: %s: weight %q is not strong, medium or weak", id, row.Weight)
				}
				conf := row.Confidence
				if conf == "" {
					conf = pf.Confidence
				}
				if !validConfidence(conf) {
					return nil, fmt.Errorf("identify: %s: confidence must be V, S or R", id)
				}
				ls, ok := labels[row.Item]
				if !ok {
					return nil, fmt.Errorf("identify: %s: item %q has no labels", id, row.Item)
				}
				if _, dup := c.byID[id]; dup {
					return nil, fmt.Errorf("identify: indicator %s listed twice", id)
				}
				in := &Indicator{ID: id, Item: row.Item, Profile: p, Dimension: d, Weight: w,
					Confidence: conf, Note: row.Note, labels: ls, order: len(c.lists[p])}
				c.byID[id] = in
				c.lists[p] = append(c.lists[p], in)
			}
		}
	}
	if len(f.Profiles) != len(Profiles) {
		return nil, fmt.Errorf("identify: catalogue has a profile other than %v", Profiles)
	}
	return c, nil
}

func validConfidence(s string) bool {
	return s == ConfidenceVerified || s == ConfidenceSecondary || s == ConfidenceReconstructed
}
